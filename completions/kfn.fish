complete --keep-order --exclusive --command kfn --arguments "(KFN_COMPLETE=fish kfn -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"
