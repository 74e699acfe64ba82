// twin-a
