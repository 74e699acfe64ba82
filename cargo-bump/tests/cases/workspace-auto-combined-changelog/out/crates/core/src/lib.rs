// core
feat(core)!: a new API
