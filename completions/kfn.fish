# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kfn_global_optspecs
    string join \n kubeconfig= context= n/namespace= local h/help V/version
end

function __fish_kfn_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kfn_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kfn_using_subcommand
    set -l cmd (__fish_kfn_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kfn -n "__fish_kfn_needs_command" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_needs_command" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_needs_command" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_needs_command" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_needs_command" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_needs_command" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "function" -d 'Deploy, update, call and inspect functions'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "trigger" -d 'Make functions fire: HTTP routes, schedules, NATS, Kafka and Kinesis messages'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "autoscale" -d 'Scale functions automatically: create, delete and list rules'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "get-server-config" -d 'Print the server\'s runtime catalog'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "version" -d 'Print kfn\'s version'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "local" -d 'Run the whole system on this machine, with no cluster'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "cluster-info" -d 'Show which API server kfn talks to, and how it chose it'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "install" -d 'Install kfn on a cluster: CRDs, RBAC, the controller, the runtime catalog'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "uninstall" -d 'Remove kfn from a cluster (the CRDs stay unless --crds)'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "controller" -d 'Run the cluster controller'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "runtime" -d 'The function runtime that runs inside every function replica'
complete -c kfn -n "__fish_kfn_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "deploy" -d 'Deploy a function'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "update" -d 'Update a function: only the flags given change it'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "delete" -d 'Delete a function'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "list" -d 'List functions'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "ls" -d 'List functions'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "describe" -d 'Show a function\'s details'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "call" -d 'Call a function through the API server'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "logs" -d 'Print a function\'s logs (every replica)'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "top" -d 'Show call counts and durations from the functions\' metrics'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "stats" -d 'Show call counts and durations from the functions\' metrics'
complete -c kfn -n "__fish_kfn_using_subcommand function; and not __fish_seen_subcommand_from deploy update delete list ls describe call logs top stats help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s d -l dependencies -d 'Dependency file (requirements.txt, package.json, ...) or its URL' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s l -l label -d 'Labels, key=value or key:value (repeatable, comma-separated)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s e -l env -d 'Environment variables, key=value or key:value (repeatable, comma-separated)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l secrets -d 'Secrets to mount at /<secret> (repeatable, comma-separated)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l node-selectors -d 'Node selectors, key=value (repeatable, comma-separated)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l service-account -d 'Service account of the function\'s pods' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l memory -d 'Memory request and limit (a quantity: 128Mi, 1G, ...)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l cpu -d 'CPU request and limit (a quantity: 100m, 0.5, ...)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l runtime-image -d 'Custom image to run instead of a runtime' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l image-pull-policy -d 'Image pull policy: Always, IfNotPresent or Never [deploy default: Always]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l timeout -d 'Timeout of one call, in seconds [deploy default: 180]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s o -l output -d 'Output format of --dryrun: yaml or json' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l port -d 'Port the function listens on [deploy default: 8080]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l servicePort -d 'Port of the function\'s Service, when it differs from --port' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l wait-timeout -d 'How long --wait waits (e.g. 90s, 2m)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l schedule -d 'Cron schedule; also creates a CronJobTrigger named like the function' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s r -l runtime -d 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`) [required unless --runtime-image]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l handler -d 'Handler: <module>.<function> [required with --runtime]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s f -l from-file -d 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL [required unless --runtime-image]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l headless -d 'Make the function\'s Service headless (clusterIP: None)'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l dryrun -d 'Print the Function object instead of submitting it'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l wait -d 'Wait until the function\'s Deployment is ready'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from deploy" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s r -l runtime -d 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l handler -d 'Handler: <module>.<function>' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s f -l from-file -d 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s d -l dependencies -d 'Dependency file (requirements.txt, package.json, ...) or its URL' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s l -l label -d 'Labels, key=value or key:value (repeatable, comma-separated)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s e -l env -d 'Environment variables, key=value or key:value (repeatable, comma-separated)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l secrets -d 'Secrets to mount at /<secret> (repeatable, comma-separated)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l node-selectors -d 'Node selectors, key=value (repeatable, comma-separated)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l service-account -d 'Service account of the function\'s pods' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l memory -d 'Memory request and limit (a quantity: 128Mi, 1G, ...)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l cpu -d 'CPU request and limit (a quantity: 100m, 0.5, ...)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l runtime-image -d 'Custom image to run instead of a runtime' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l image-pull-policy -d 'Image pull policy: Always, IfNotPresent or Never [deploy default: Always]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l timeout -d 'Timeout of one call, in seconds [deploy default: 180]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s o -l output -d 'Output format of --dryrun: yaml or json' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l port -d 'Port the function listens on [deploy default: 8080]' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l servicePort -d 'Port of the function\'s Service, when it differs from --port' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l wait-timeout -d 'How long --wait waits (e.g. 90s, 2m)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l headless -d 'Make the function\'s Service headless (clusterIP: None)'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l dryrun -d 'Print the Function object instead of submitting it'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l wait -d 'Wait until the function\'s Deployment is ready'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from update" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from delete" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from delete" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from delete" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from delete" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from list" -s o -l out -d 'Output format: wide, json or yaml (default: a table)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from list" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from list" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from list" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from list" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from ls" -s o -l out -d 'Output format: wide, json or yaml (default: a table)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from ls" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from ls" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from ls" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from ls" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from describe" -s o -l out -d 'Output format: json or yaml (default: a table)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from describe" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from describe" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from describe" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from describe" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from describe" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from describe" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -s d -l data -d 'Data to send (a POST); JSON objects are sent as application/json' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -l data-file -d 'Read the data from a file (`-` for stdin)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -s X -l method -d 'HTTP method (default: GET without data, POST with it)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -s H -l header -d 'Extra request headers, `Name: value` (repeatable)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -l query -d 'Query string, e.g. `a=1&b=2`' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -l path -d 'Path to call' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -s i -l include -d 'Print the response\'s status line and headers before the body'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from call" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -l tail -d 'Only the last N lines of each replica' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -l since -d 'Only lines newer than this (e.g. 10s, 5m, 1h)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Keep printing new lines'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -l timestamps -d 'Prefix each line with its time'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from top" -s f -l function -d 'One function (default: all in the namespace)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from top" -s o -l out -d 'Output format: json or yaml (default: a table)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from top" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from top" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from top" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from top" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from top" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from top" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from stats" -s f -l function -d 'One function (default: all in the namespace)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from stats" -s o -l out -d 'Output format: json or yaml (default: a table)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from stats" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from stats" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from stats" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from stats" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from stats" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from stats" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "deploy" -d 'Deploy a function'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "update" -d 'Update a function: only the flags given change it'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete a function'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "list" -d 'List functions'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "describe" -d 'Show a function\'s details'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "call" -d 'Call a function through the API server'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Print a function\'s logs (every replica)'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "top" -d 'Show call counts and durations from the functions\' metrics'
complete -c kfn -n "__fish_kfn_using_subcommand function; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -f -a "http" -d 'HTTP triggers: routes from a gateway to a function'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -f -a "cronjob" -d 'Cron job triggers: call a function on a schedule'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -f -a "nats" -d 'NATS triggers: deliver a subject\'s messages to functions'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -f -a "kafka" -d 'Kafka triggers: deliver a topic\'s messages to functions'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -f -a "kinesis" -d 'Kinesis triggers: deliver a stream\'s records to a function'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and not __fish_seen_subcommand_from http cronjob nats kafka kinesis help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -f -a "create" -d 'Create an HTTP trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -f -a "update" -d 'Update an HTTP trigger: only the flags given change it'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -f -a "delete" -d 'Delete an HTTP trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -f -a "list" -d 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway\'s address)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -f -a "ls" -d 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway\'s address)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from http" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -f -a "create" -d 'Create a cron job trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -f -a "update" -d 'Update a cron job trigger: only the flags given change it'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -f -a "delete" -d 'Delete a cron job trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -f -a "list" -d 'List cron job triggers'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -f -a "ls" -d 'List cron job triggers'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from cronjob" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -f -a "create" -d 'Create a trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -f -a "update" -d 'Update a trigger: only the flags given change it'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -f -a "delete" -d 'Delete a trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -f -a "list" -d 'List triggers'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -f -a "ls" -d 'List triggers'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -f -a "publish" -d 'Publish a message'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from nats" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -f -a "create" -d 'Create a trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -f -a "update" -d 'Update a trigger: only the flags given change it'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -f -a "delete" -d 'Delete a trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -f -a "list" -d 'List triggers'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -f -a "ls" -d 'List triggers'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -f -a "publish" -d 'Publish a message'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kafka" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -f -a "create" -d 'Create a Kinesis trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -f -a "update" -d 'Update a Kinesis trigger: only the flags given change it'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -f -a "delete" -d 'Delete a Kinesis trigger'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -f -a "list" -d 'List Kinesis triggers'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -f -a "ls" -d 'List Kinesis triggers'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -f -a "publish" -d 'Put records into a stream (needs AWS or a Kinesis endpoint)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -f -a "create-stream" -d 'Create a stream (needs AWS or a Kinesis endpoint)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from kinesis" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from help" -f -a "http" -d 'HTTP triggers: routes from a gateway to a function'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from help" -f -a "cronjob" -d 'Cron job triggers: call a function on a schedule'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from help" -f -a "nats" -d 'NATS triggers: deliver a subject\'s messages to functions'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from help" -f -a "kafka" -d 'Kafka triggers: deliver a topic\'s messages to functions'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from help" -f -a "kinesis" -d 'Kinesis triggers: deliver a stream\'s records to a function'
complete -c kfn -n "__fish_kfn_using_subcommand trigger; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -f -a "create" -d 'Add an autoscaling rule to a function'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -f -a "delete" -d 'Remove a function\'s autoscaling rule'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -f -a "list" -d 'List autoscaling rules'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -f -a "ls" -d 'List autoscaling rules'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and not __fish_seen_subcommand_from create delete list ls help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -l min -d 'Fewest replicas' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -l max -d 'Most replicas' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -l metric -d 'Metric: cpu (percent of the CPU request), memory (percent of the memory request) or qps (calls per second per replica); repeat (or comma-separate) for several, each with its --value' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -l value -d 'Target of each metric, in --metric order' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from delete" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from delete" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from delete" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from delete" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from list" -s o -l out -d 'Output format: json or yaml (default: a table)' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from list" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from list" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from list" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from list" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from ls" -s o -l out -d 'Output format: json or yaml (default: a table)' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from ls" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from ls" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from ls" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from ls" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from help" -f -a "create" -d 'Add an autoscaling rule to a function'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Remove a function\'s autoscaling rule'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from help" -f -a "list" -d 'List autoscaling rules'
complete -c kfn -n "__fish_kfn_using_subcommand autoscale; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand get-server-config" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand get-server-config" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand get-server-config" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand get-server-config" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand get-server-config" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand get-server-config" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand version" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand version" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand version" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand version" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand version" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand version" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand completion" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand completion" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand completion" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand completion" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand completion" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand completion" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -f -a "start" -d 'Start the engine in the background and print where it listens'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -f -a "stop" -d 'Stop the engine (SIGTERM, then SIGKILL after the grace period)'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -f -a "status" -d 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -f -a "kubeconfig" -d 'Print the path of the engine\'s kubeconfig, starting the engine if needed'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -f -a "reset" -d 'Stop the engine and delete all its state'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -f -a "serve" -d 'Run the engine in the foreground, logging to stderr'
complete -c kfn -n "__fish_kfn_using_subcommand local; and not __fish_seen_subcommand_from start stop status kubeconfig reset serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -l port -d 'Port on 127.0.0.1 (default: the last one used, else a free one)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -l nats -d 'NATS server whose messages NATS triggers deliver, e.g. nats://127.0.0.1:4222' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -l kafka -d 'Kafka brokers whose messages Kafka triggers deliver, e.g. 127.0.0.1:9092' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -l no-run -d 'Only store and serve objects: run no functions (for `kfn controller` and tests)'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from stop" -l grace -d 'Seconds to wait for a graceful stop' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from stop" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from stop" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from stop" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from stop" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from status" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from status" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from status" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from status" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from kubeconfig" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from kubeconfig" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from kubeconfig" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from kubeconfig" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from kubeconfig" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from kubeconfig" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from reset" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from reset" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from reset" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from reset" -s y -l yes -d 'Do not ask for confirmation'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from reset" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -l port -d 'Port on 127.0.0.1 (default: the last one used, else a free one)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -l nats -d 'NATS server whose messages NATS triggers deliver, e.g. nats://127.0.0.1:4222' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -l kafka -d 'Kafka brokers whose messages Kafka triggers deliver, e.g. 127.0.0.1:9092' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -l no-run -d 'Only store and serve objects: run no functions (for `kfn controller` and tests)'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start the engine in the background and print where it listens'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop the engine (SIGTERM, then SIGKILL after the grace period)'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "kubeconfig" -d 'Print the path of the engine\'s kubeconfig, starting the engine if needed'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Stop the engine and delete all its state'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Run the engine in the foreground, logging to stderr'
complete -c kfn -n "__fish_kfn_using_subcommand local; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand cluster-info" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand cluster-info" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand cluster-info" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand cluster-info" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand cluster-info" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand cluster-info" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand install" -s o -l output -d 'Output format of --dry-run: yaml or json' -r
complete -c kfn -n "__fish_kfn_using_subcommand install" -l image -d 'The kfn image the controller runs (and copies into function pods)' -r
complete -c kfn -n "__fish_kfn_using_subcommand install" -l nats-url -d 'NATS server the controller consumes NATS triggers from (sets NATS_URL), e.g. nats://nats.nats-io:4222' -r
complete -c kfn -n "__fish_kfn_using_subcommand install" -l kafka-brokers -d 'Kafka brokers the controller consumes Kafka triggers from (sets KAFKA_BROKERS), e.g. kafka.kubeless:9092' -r
complete -c kfn -n "__fish_kfn_using_subcommand install" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand install" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand install" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand install" -l dry-run -d 'Print the manifests instead of applying them'
complete -c kfn -n "__fish_kfn_using_subcommand install" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand install" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand install" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand uninstall" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand uninstall" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand uninstall" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand uninstall" -l crds -d 'Also delete the CRDs, and with them every Function and trigger'
complete -c kfn -n "__fish_kfn_using_subcommand uninstall" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand uninstall" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand uninstall" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l config-namespace -d 'Namespace of the `kubeless-config` ConfigMap and of the leader Lease' -r
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l image -d 'The kfn image copied into function pods' -r
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l health-port -d 'Port of /healthz and /metrics' -r
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l identity -d 'Name of this replica in the leader Lease (default: $POD_NAME, else host and pid)' -r
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l nats -d 'NATS server whose messages NATS triggers deliver, e.g. nats://nats.nats-io:4222' -r
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l kafka-brokers -d 'Kafka brokers whose messages Kafka triggers deliver, e.g. kafka.kubeless:9092' -r
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand controller" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand controller" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand controller" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand controller" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -f -a "serve" -d 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -f -a "prepare" -d 'Write a function\'s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and not __fish_seen_subcommand_from serve prepare help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from serve" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from serve" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from serve" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from serve" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from prepare" -l kubeconfig -d 'Path to the kubeconfig file to use' -r -F
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from prepare" -l context -d 'The kubeconfig context to use' -r
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from prepare" -s n -l namespace -d 'Namespace (default: the context\'s namespace, else `default`)' -r
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from prepare" -l local -d 'Use the local engine, whatever kubeconfig is present'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from prepare" -s h -l help -d 'Print help'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from prepare" -s V -l version -d 'Print version'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from help" -f -a "serve" -d 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from help" -f -a "prepare" -d 'Write a function\'s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME'
complete -c kfn -n "__fish_kfn_using_subcommand runtime; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "function" -d 'Deploy, update, call and inspect functions'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "trigger" -d 'Make functions fire: HTTP routes, schedules, NATS, Kafka and Kinesis messages'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "autoscale" -d 'Scale functions automatically: create, delete and list rules'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "get-server-config" -d 'Print the server\'s runtime catalog'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "version" -d 'Print kfn\'s version'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "completion" -d 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "local" -d 'Run the whole system on this machine, with no cluster'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "cluster-info" -d 'Show which API server kfn talks to, and how it chose it'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "install" -d 'Install kfn on a cluster: CRDs, RBAC, the controller, the runtime catalog'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "uninstall" -d 'Remove kfn from a cluster (the CRDs stay unless --crds)'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "controller" -d 'Run the cluster controller'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "runtime" -d 'The function runtime that runs inside every function replica'
complete -c kfn -n "__fish_kfn_using_subcommand help; and not __fish_seen_subcommand_from function trigger autoscale get-server-config version completion local cluster-info install uninstall controller runtime help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from function" -f -a "deploy" -d 'Deploy a function'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from function" -f -a "update" -d 'Update a function: only the flags given change it'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from function" -f -a "delete" -d 'Delete a function'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from function" -f -a "list" -d 'List functions'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from function" -f -a "describe" -d 'Show a function\'s details'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from function" -f -a "call" -d 'Call a function through the API server'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from function" -f -a "logs" -d 'Print a function\'s logs (every replica)'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from function" -f -a "top" -d 'Show call counts and durations from the functions\' metrics'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from trigger" -f -a "http" -d 'HTTP triggers: routes from a gateway to a function'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from trigger" -f -a "cronjob" -d 'Cron job triggers: call a function on a schedule'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from trigger" -f -a "nats" -d 'NATS triggers: deliver a subject\'s messages to functions'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from trigger" -f -a "kafka" -d 'Kafka triggers: deliver a topic\'s messages to functions'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from trigger" -f -a "kinesis" -d 'Kinesis triggers: deliver a stream\'s records to a function'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from autoscale" -f -a "create" -d 'Add an autoscaling rule to a function'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from autoscale" -f -a "delete" -d 'Remove a function\'s autoscaling rule'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from autoscale" -f -a "list" -d 'List autoscaling rules'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "start" -d 'Start the engine in the background and print where it listens'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "stop" -d 'Stop the engine (SIGTERM, then SIGKILL after the grace period)'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "status" -d 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "kubeconfig" -d 'Print the path of the engine\'s kubeconfig, starting the engine if needed'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "reset" -d 'Stop the engine and delete all its state'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from local" -f -a "serve" -d 'Run the engine in the foreground, logging to stderr'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from runtime" -f -a "serve" -d 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)'
complete -c kfn -n "__fish_kfn_using_subcommand help; and __fish_seen_subcommand_from runtime" -f -a "prepare" -d 'Write a function\'s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME'
