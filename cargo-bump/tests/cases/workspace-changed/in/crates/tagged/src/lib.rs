// tagged
