
set edit:completion:arg-completer[kfn] = { |@words|
    var index = (count $words)
    set index = (- $index 1)

    put (env _CLAP_IFS="\n" _CLAP_COMPLETE_INDEX=(to-string $index) KFN_COMPLETE="elvish" kfn -- $@words) | to-lines
}

