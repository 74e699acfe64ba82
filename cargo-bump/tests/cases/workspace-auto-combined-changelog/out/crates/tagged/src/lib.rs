// tagged
feat(tagged): a feature
