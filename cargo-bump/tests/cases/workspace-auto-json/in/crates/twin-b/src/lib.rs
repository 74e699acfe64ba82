// twin-b
