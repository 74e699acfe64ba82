// twin-b
fix(twin-b): handle empty input
