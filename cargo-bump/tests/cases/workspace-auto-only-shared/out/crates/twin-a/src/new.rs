feat(twin-a): a feature shared by both twins
