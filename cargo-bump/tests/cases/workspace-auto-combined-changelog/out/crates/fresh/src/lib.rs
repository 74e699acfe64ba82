// fresh
feat(fresh): the first feature
