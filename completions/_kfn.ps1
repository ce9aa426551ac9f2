
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kfn' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kfn'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kfn' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('function', 'function', [CompletionResultType]::ParameterValue, 'Deploy, update, call and inspect functions')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Make functions fire: HTTP routes, schedules, NATS, Kafka and Kinesis messages')
            [CompletionResult]::new('autoscale', 'autoscale', [CompletionResultType]::ParameterValue, 'Scale functions automatically: create, delete and list rules')
            [CompletionResult]::new('get-server-config', 'get-server-config', [CompletionResultType]::ParameterValue, 'Print the server''s runtime catalog')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print kfn''s version')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Run the whole system on this machine, with no cluster')
            [CompletionResult]::new('cluster-info', 'cluster-info', [CompletionResultType]::ParameterValue, 'Show which API server kfn talks to, and how it chose it')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install kfn on a cluster: CRDs, RBAC, the controller, the runtime catalog')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove kfn from a cluster (the CRDs stay unless --crds)')
            [CompletionResult]::new('controller', 'controller', [CompletionResultType]::ParameterValue, 'Run the cluster controller')
            [CompletionResult]::new('runtime', 'runtime', [CompletionResultType]::ParameterValue, 'The function runtime that runs inside every function replica')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;function' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Deploy a function')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a function: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a function')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List functions')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List functions')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show a function''s details')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call a function through the API server')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a function''s logs (every replica)')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'Show call counts and durations from the functions'' metrics')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Show call counts and durations from the functions'' metrics')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;function;deploy' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Dependency file (requirements.txt, package.json, ...) or its URL')
            [CompletionResult]::new('--dependencies', '--dependencies', [CompletionResultType]::ParameterName, 'Dependency file (requirements.txt, package.json, ...) or its URL')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Labels, key=value or key:value (repeatable, comma-separated)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Labels, key=value or key:value (repeatable, comma-separated)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Environment variables, key=value or key:value (repeatable, comma-separated)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment variables, key=value or key:value (repeatable, comma-separated)')
            [CompletionResult]::new('--secrets', '--secrets', [CompletionResultType]::ParameterName, 'Secrets to mount at /<secret> (repeatable, comma-separated)')
            [CompletionResult]::new('--node-selectors', '--node-selectors', [CompletionResultType]::ParameterName, 'Node selectors, key=value (repeatable, comma-separated)')
            [CompletionResult]::new('--service-account', '--service-account', [CompletionResultType]::ParameterName, 'Service account of the function''s pods')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory request and limit (a quantity: 128Mi, 1G, ...)')
            [CompletionResult]::new('--cpu', '--cpu', [CompletionResultType]::ParameterName, 'CPU request and limit (a quantity: 100m, 0.5, ...)')
            [CompletionResult]::new('--runtime-image', '--runtime-image', [CompletionResultType]::ParameterName, 'Custom image to run instead of a runtime')
            [CompletionResult]::new('--image-pull-policy', '--image-pull-policy', [CompletionResultType]::ParameterName, 'Image pull policy: Always, IfNotPresent or Never [deploy default: Always]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one call, in seconds [deploy default: 180]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port the function listens on [deploy default: 8080]')
            [CompletionResult]::new('--servicePort', '--servicePort', [CompletionResultType]::ParameterName, 'Port of the function''s Service, when it differs from --port')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long --wait waits (e.g. 90s, 2m)')
            [CompletionResult]::new('--schedule', '--schedule', [CompletionResultType]::ParameterName, 'Cron schedule; also creates a CronJobTrigger named like the function')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`) [required unless --runtime-image]')
            [CompletionResult]::new('--runtime', '--runtime', [CompletionResultType]::ParameterName, 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`) [required unless --runtime-image]')
            [CompletionResult]::new('--handler', '--handler', [CompletionResultType]::ParameterName, 'Handler: <module>.<function> [required with --runtime]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL [required unless --runtime-image]')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL [required unless --runtime-image]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--headless', '--headless', [CompletionResultType]::ParameterName, 'Make the function''s Service headless (clusterIP: None)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the Function object instead of submitting it')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the function''s Deployment is ready')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;update' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`)')
            [CompletionResult]::new('--runtime', '--runtime', [CompletionResultType]::ParameterName, 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`)')
            [CompletionResult]::new('--handler', '--handler', [CompletionResultType]::ParameterName, 'Handler: <module>.<function>')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL')
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Dependency file (requirements.txt, package.json, ...) or its URL')
            [CompletionResult]::new('--dependencies', '--dependencies', [CompletionResultType]::ParameterName, 'Dependency file (requirements.txt, package.json, ...) or its URL')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Labels, key=value or key:value (repeatable, comma-separated)')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'Labels, key=value or key:value (repeatable, comma-separated)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Environment variables, key=value or key:value (repeatable, comma-separated)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Environment variables, key=value or key:value (repeatable, comma-separated)')
            [CompletionResult]::new('--secrets', '--secrets', [CompletionResultType]::ParameterName, 'Secrets to mount at /<secret> (repeatable, comma-separated)')
            [CompletionResult]::new('--node-selectors', '--node-selectors', [CompletionResultType]::ParameterName, 'Node selectors, key=value (repeatable, comma-separated)')
            [CompletionResult]::new('--service-account', '--service-account', [CompletionResultType]::ParameterName, 'Service account of the function''s pods')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory request and limit (a quantity: 128Mi, 1G, ...)')
            [CompletionResult]::new('--cpu', '--cpu', [CompletionResultType]::ParameterName, 'CPU request and limit (a quantity: 100m, 0.5, ...)')
            [CompletionResult]::new('--runtime-image', '--runtime-image', [CompletionResultType]::ParameterName, 'Custom image to run instead of a runtime')
            [CompletionResult]::new('--image-pull-policy', '--image-pull-policy', [CompletionResultType]::ParameterName, 'Image pull policy: Always, IfNotPresent or Never [deploy default: Always]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Timeout of one call, in seconds [deploy default: 180]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port the function listens on [deploy default: 8080]')
            [CompletionResult]::new('--servicePort', '--servicePort', [CompletionResultType]::ParameterName, 'Port of the function''s Service, when it differs from --port')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long --wait waits (e.g. 90s, 2m)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--headless', '--headless', [CompletionResultType]::ParameterName, 'Make the function''s Service headless (clusterIP: None)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the Function object instead of submitting it')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait until the function''s Deployment is ready')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;delete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: wide, json or yaml (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: wide, json or yaml (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;ls' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: wide, json or yaml (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: wide, json or yaml (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;describe' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;call' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Data to send (a POST); JSON objects are sent as application/json')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Data to send (a POST); JSON objects are sent as application/json')
            [CompletionResult]::new('--data-file', '--data-file', [CompletionResultType]::ParameterName, 'Read the data from a file (`-` for stdin)')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'HTTP method (default: GET without data, POST with it)')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'HTTP method (default: GET without data, POST with it)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra request headers, `Name: value` (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra request headers, `Name: value` (repeatable)')
            [CompletionResult]::new('--query', '--query', [CompletionResultType]::ParameterName, 'Query string, e.g. `a=1&b=2`')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Path to call')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Print the response''s status line and headers before the body')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Print the response''s status line and headers before the body')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;logs' {
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Only the last N lines of each replica')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only lines newer than this (e.g. 10s, 5m, 1h)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing new lines')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing new lines')
            [CompletionResult]::new('--timestamps', '--timestamps', [CompletionResultType]::ParameterName, 'Prefix each line with its time')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;top' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'One function (default: all in the namespace)')
            [CompletionResult]::new('--function', '--function', [CompletionResultType]::ParameterName, 'One function (default: all in the namespace)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;stats' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'One function (default: all in the namespace)')
            [CompletionResult]::new('--function', '--function', [CompletionResultType]::ParameterName, 'One function (default: all in the namespace)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;function;help' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Deploy a function')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a function: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a function')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List functions')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show a function''s details')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call a function through the API server')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a function''s logs (every replica)')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'Show call counts and durations from the functions'' metrics')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;function;help;deploy' {
            break
        }
        'kfn;function;help;update' {
            break
        }
        'kfn;function;help;delete' {
            break
        }
        'kfn;function;help;list' {
            break
        }
        'kfn;function;help;describe' {
            break
        }
        'kfn;function;help;call' {
            break
        }
        'kfn;function;help;logs' {
            break
        }
        'kfn;function;help;top' {
            break
        }
        'kfn;function;help;help' {
            break
        }
        'kfn;trigger' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('http', 'http', [CompletionResultType]::ParameterValue, 'HTTP triggers: routes from a gateway to a function')
            [CompletionResult]::new('cronjob', 'cronjob', [CompletionResultType]::ParameterValue, 'Cron job triggers: call a function on a schedule')
            [CompletionResult]::new('nats', 'nats', [CompletionResultType]::ParameterValue, 'NATS triggers: deliver a subject''s messages to functions')
            [CompletionResult]::new('kafka', 'kafka', [CompletionResultType]::ParameterValue, 'Kafka triggers: deliver a topic''s messages to functions')
            [CompletionResult]::new('kinesis', 'kinesis', [CompletionResultType]::ParameterValue, 'Kinesis triggers: deliver a stream''s records to a function')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;http' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an HTTP trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update an HTTP trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an HTTP trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;http;create' {
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Path of the route, without a leading slash (default: the root, /)')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'Host name of the route (nginx default: <function>.<API server host>.nip.io)')
            [CompletionResult]::new('--tls-secret', '--tls-secret', [CompletionResultType]::ParameterName, 'Existing TLS secret for the route')
            [CompletionResult]::new('--basic-auth-secret', '--basic-auth-secret', [CompletionResultType]::ParameterName, 'Secret with an htpasswd `auth` key: basic authentication')
            [CompletionResult]::new('--function-name', '--function-name', [CompletionResultType]::ParameterName, 'The function to call')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Ingress controller: nginx, traefik or kong')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--enableTLSAcme', '--enableTLSAcme', [CompletionResultType]::ParameterName, 'Ask for a TLS certificate (cert-manager / kube-lego)')
            [CompletionResult]::new('--cors-enable', '--cors-enable', [CompletionResultType]::ParameterName, 'Add CORS headers')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;http;update' {
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Path of the route, without a leading slash (default: the root, /)')
            [CompletionResult]::new('--hostname', '--hostname', [CompletionResultType]::ParameterName, 'Host name of the route (nginx default: <function>.<API server host>.nip.io)')
            [CompletionResult]::new('--tls-secret', '--tls-secret', [CompletionResultType]::ParameterName, 'Existing TLS secret for the route')
            [CompletionResult]::new('--basic-auth-secret', '--basic-auth-secret', [CompletionResultType]::ParameterName, 'Secret with an htpasswd `auth` key: basic authentication')
            [CompletionResult]::new('--function-name', '--function-name', [CompletionResultType]::ParameterName, 'The function to call')
            [CompletionResult]::new('--gateway', '--gateway', [CompletionResultType]::ParameterName, 'Ingress controller: nginx, traefik or kong')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--enableTLSAcme', '--enableTLSAcme', [CompletionResultType]::ParameterName, 'Ask for a TLS certificate (cert-manager / kube-lego)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;http;delete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;http;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;http;ls' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;http;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an HTTP trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update an HTTP trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an HTTP trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;http;help;create' {
            break
        }
        'kfn;trigger;http;help;update' {
            break
        }
        'kfn;trigger;http;help;delete' {
            break
        }
        'kfn;trigger;http;help;list' {
            break
        }
        'kfn;trigger;http;help;help' {
            break
        }
        'kfn;trigger;cronjob' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a cron job trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a cron job trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a cron job trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List cron job triggers')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List cron job triggers')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;cronjob;create' {
            [CompletionResult]::new('--schedule', '--schedule', [CompletionResultType]::ParameterName, 'Cron schedule (5 fields, @hourly and the like, or @every <duration>), in UTC')
            [CompletionResult]::new('--function', '--function', [CompletionResultType]::ParameterName, 'The function to call')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'JSON payload to POST at each firing (without one, the function gets a GET)')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'JSON payload to POST at each firing (without one, the function gets a GET)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A .json file (or its URL) with the payload')
            [CompletionResult]::new('--payload-from-file', '--payload-from-file', [CompletionResultType]::ParameterName, 'A .json file (or its URL) with the payload')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;cronjob;update' {
            [CompletionResult]::new('--schedule', '--schedule', [CompletionResultType]::ParameterName, 'Cron schedule')
            [CompletionResult]::new('--function', '--function', [CompletionResultType]::ParameterName, 'The function to call')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'JSON payload to POST at each firing (without one, the function gets a GET)')
            [CompletionResult]::new('--payload', '--payload', [CompletionResultType]::ParameterName, 'JSON payload to POST at each firing (without one, the function gets a GET)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A .json file (or its URL) with the payload')
            [CompletionResult]::new('--payload-from-file', '--payload-from-file', [CompletionResultType]::ParameterName, 'A .json file (or its URL) with the payload')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;cronjob;delete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;cronjob;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;cronjob;ls' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;cronjob;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a cron job trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a cron job trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a cron job trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List cron job triggers')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;cronjob;help;create' {
            break
        }
        'kfn;trigger;cronjob;help;update' {
            break
        }
        'kfn;trigger;cronjob;help;delete' {
            break
        }
        'kfn;trigger;cronjob;help;list' {
            break
        }
        'kfn;trigger;cronjob;help;help' {
            break
        }
        'kfn;trigger;nats' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a message')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;nats;create' {
            [CompletionResult]::new('--trigger-topic', '--trigger-topic', [CompletionResultType]::ParameterName, 'Topic (subject) to consume')
            [CompletionResult]::new('--function-selector', '--function-selector', [CompletionResultType]::ParameterName, 'Label selector of the functions that receive every message, e.g. created-by=kubeless,topic=t1')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;nats;update' {
            [CompletionResult]::new('--trigger-topic', '--trigger-topic', [CompletionResultType]::ParameterName, 'Topic (subject) to consume')
            [CompletionResult]::new('--function-selector', '--function-selector', [CompletionResultType]::ParameterName, 'Label selector of the functions that receive every message')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;nats;delete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;nats;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;nats;ls' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;nats;publish' {
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, 'NATS server URL, e.g. nats://127.0.0.1:4222')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Subject to publish to')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The message')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;nats;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a message')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;nats;help;create' {
            break
        }
        'kfn;trigger;nats;help;update' {
            break
        }
        'kfn;trigger;nats;help;delete' {
            break
        }
        'kfn;trigger;nats;help;list' {
            break
        }
        'kfn;trigger;nats;help;publish' {
            break
        }
        'kfn;trigger;nats;help;help' {
            break
        }
        'kfn;trigger;kafka' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a message')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;kafka;create' {
            [CompletionResult]::new('--trigger-topic', '--trigger-topic', [CompletionResultType]::ParameterName, 'Topic (subject) to consume')
            [CompletionResult]::new('--function-selector', '--function-selector', [CompletionResultType]::ParameterName, 'Label selector of the functions that receive every message, e.g. created-by=kubeless,topic=t1')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kafka;update' {
            [CompletionResult]::new('--trigger-topic', '--trigger-topic', [CompletionResultType]::ParameterName, 'Topic (subject) to consume')
            [CompletionResult]::new('--function-selector', '--function-selector', [CompletionResultType]::ParameterName, 'Label selector of the functions that receive every message')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kafka;delete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kafka;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kafka;ls' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kafka;publish' {
            [CompletionResult]::new('--brokers', '--brokers', [CompletionResultType]::ParameterName, 'Kafka brokers, e.g. 127.0.0.1:9092')
            [CompletionResult]::new('--topic', '--topic', [CompletionResultType]::ParameterName, 'Topic to publish to')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'The message')
            [CompletionResult]::new('--message', '--message', [CompletionResultType]::ParameterName, 'The message')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kafka;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a message')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;kafka;help;create' {
            break
        }
        'kfn;trigger;kafka;help;update' {
            break
        }
        'kfn;trigger;kafka;help;delete' {
            break
        }
        'kfn;trigger;kafka;help;list' {
            break
        }
        'kfn;trigger;kafka;help;publish' {
            break
        }
        'kfn;trigger;kafka;help;help' {
            break
        }
        'kfn;trigger;kinesis' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a Kinesis trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a Kinesis trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a Kinesis trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List Kinesis triggers')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List Kinesis triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Put records into a stream (needs AWS or a Kinesis endpoint)')
            [CompletionResult]::new('create-stream', 'create-stream', [CompletionResultType]::ParameterValue, 'Create a stream (needs AWS or a Kinesis endpoint)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;kinesis;create' {
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Name of the Kinesis stream to read')
            [CompletionResult]::new('--aws-region', '--aws-region', [CompletionResultType]::ParameterName, 'AWS region of the stream, e.g. us-west-2')
            [CompletionResult]::new('--shard-id', '--shard-id', [CompletionResultType]::ParameterName, 'Shard of the stream to read, e.g. shardId-000000000000')
            [CompletionResult]::new('--function-name', '--function-name', [CompletionResultType]::ParameterName, 'The function that receives the records')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Secret with aws_access_key_id and aws_secret_access_key')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Kinesis endpoint URL (e.g. a local kinesalite)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kinesis;update' {
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Name of the Kinesis stream to read')
            [CompletionResult]::new('--aws-region', '--aws-region', [CompletionResultType]::ParameterName, 'AWS region of the stream, e.g. us-west-2')
            [CompletionResult]::new('--shard-id', '--shard-id', [CompletionResultType]::ParameterName, 'Shard of the stream to read, e.g. shardId-000000000000')
            [CompletionResult]::new('--function-name', '--function-name', [CompletionResultType]::ParameterName, 'The function that receives the records')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Secret with aws_access_key_id and aws_secret_access_key')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Kinesis endpoint URL (e.g. a local kinesalite)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dryrun: yaml or json')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dryrun', '--dryrun', [CompletionResultType]::ParameterName, 'Print the object instead of creating it')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kinesis;delete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kinesis;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kinesis;ls' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json, yaml or wide (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kinesis;publish' {
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Name of the Kinesis stream')
            [CompletionResult]::new('--aws-region', '--aws-region', [CompletionResultType]::ParameterName, 'AWS region of the stream, e.g. us-west-2')
            [CompletionResult]::new('--partition-key', '--partition-key', [CompletionResultType]::ParameterName, 'Partition key of the records (publish)')
            [CompletionResult]::new('--records', '--records', [CompletionResultType]::ParameterName, 'Records to put (publish; repeatable)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Secret with aws_access_key_id and aws_secret_access_key')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Kinesis endpoint URL (e.g. a local kinesalite)')
            [CompletionResult]::new('--shard-count', '--shard-count', [CompletionResultType]::ParameterName, 'Number of shards of the new stream (create-stream)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kinesis;create-stream' {
            [CompletionResult]::new('--stream', '--stream', [CompletionResultType]::ParameterName, 'Name of the Kinesis stream')
            [CompletionResult]::new('--aws-region', '--aws-region', [CompletionResultType]::ParameterName, 'AWS region of the stream, e.g. us-west-2')
            [CompletionResult]::new('--partition-key', '--partition-key', [CompletionResultType]::ParameterName, 'Partition key of the records (publish)')
            [CompletionResult]::new('--records', '--records', [CompletionResultType]::ParameterName, 'Records to put (publish; repeatable)')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Secret with aws_access_key_id and aws_secret_access_key')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'Kinesis endpoint URL (e.g. a local kinesalite)')
            [CompletionResult]::new('--shard-count', '--shard-count', [CompletionResultType]::ParameterName, 'Number of shards of the new stream (create-stream)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;trigger;kinesis;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a Kinesis trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a Kinesis trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a Kinesis trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List Kinesis triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Put records into a stream (needs AWS or a Kinesis endpoint)')
            [CompletionResult]::new('create-stream', 'create-stream', [CompletionResultType]::ParameterValue, 'Create a stream (needs AWS or a Kinesis endpoint)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;kinesis;help;create' {
            break
        }
        'kfn;trigger;kinesis;help;update' {
            break
        }
        'kfn;trigger;kinesis;help;delete' {
            break
        }
        'kfn;trigger;kinesis;help;list' {
            break
        }
        'kfn;trigger;kinesis;help;publish' {
            break
        }
        'kfn;trigger;kinesis;help;create-stream' {
            break
        }
        'kfn;trigger;kinesis;help;help' {
            break
        }
        'kfn;trigger;help' {
            [CompletionResult]::new('http', 'http', [CompletionResultType]::ParameterValue, 'HTTP triggers: routes from a gateway to a function')
            [CompletionResult]::new('cronjob', 'cronjob', [CompletionResultType]::ParameterValue, 'Cron job triggers: call a function on a schedule')
            [CompletionResult]::new('nats', 'nats', [CompletionResultType]::ParameterValue, 'NATS triggers: deliver a subject''s messages to functions')
            [CompletionResult]::new('kafka', 'kafka', [CompletionResultType]::ParameterValue, 'Kafka triggers: deliver a topic''s messages to functions')
            [CompletionResult]::new('kinesis', 'kinesis', [CompletionResultType]::ParameterValue, 'Kinesis triggers: deliver a stream''s records to a function')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;trigger;help;http' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an HTTP trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update an HTTP trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an HTTP trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)')
            break
        }
        'kfn;trigger;help;http;create' {
            break
        }
        'kfn;trigger;help;http;update' {
            break
        }
        'kfn;trigger;help;http;delete' {
            break
        }
        'kfn;trigger;help;http;list' {
            break
        }
        'kfn;trigger;help;cronjob' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a cron job trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a cron job trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a cron job trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List cron job triggers')
            break
        }
        'kfn;trigger;help;cronjob;create' {
            break
        }
        'kfn;trigger;help;cronjob;update' {
            break
        }
        'kfn;trigger;help;cronjob;delete' {
            break
        }
        'kfn;trigger;help;cronjob;list' {
            break
        }
        'kfn;trigger;help;nats' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a message')
            break
        }
        'kfn;trigger;help;nats;create' {
            break
        }
        'kfn;trigger;help;nats;update' {
            break
        }
        'kfn;trigger;help;nats;delete' {
            break
        }
        'kfn;trigger;help;nats;list' {
            break
        }
        'kfn;trigger;help;nats;publish' {
            break
        }
        'kfn;trigger;help;kafka' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a message')
            break
        }
        'kfn;trigger;help;kafka;create' {
            break
        }
        'kfn;trigger;help;kafka;update' {
            break
        }
        'kfn;trigger;help;kafka;delete' {
            break
        }
        'kfn;trigger;help;kafka;list' {
            break
        }
        'kfn;trigger;help;kafka;publish' {
            break
        }
        'kfn;trigger;help;kinesis' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a Kinesis trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a Kinesis trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a Kinesis trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List Kinesis triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Put records into a stream (needs AWS or a Kinesis endpoint)')
            [CompletionResult]::new('create-stream', 'create-stream', [CompletionResultType]::ParameterValue, 'Create a stream (needs AWS or a Kinesis endpoint)')
            break
        }
        'kfn;trigger;help;kinesis;create' {
            break
        }
        'kfn;trigger;help;kinesis;update' {
            break
        }
        'kfn;trigger;help;kinesis;delete' {
            break
        }
        'kfn;trigger;help;kinesis;list' {
            break
        }
        'kfn;trigger;help;kinesis;publish' {
            break
        }
        'kfn;trigger;help;kinesis;create-stream' {
            break
        }
        'kfn;trigger;help;help' {
            break
        }
        'kfn;autoscale' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add an autoscaling rule to a function')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Remove a function''s autoscaling rule')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List autoscaling rules')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List autoscaling rules')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;autoscale;create' {
            [CompletionResult]::new('--min', '--min', [CompletionResultType]::ParameterName, 'Fewest replicas')
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Most replicas')
            [CompletionResult]::new('--metric', '--metric', [CompletionResultType]::ParameterName, 'Metric: cpu (percent of the CPU request), memory (percent of the memory request) or qps (calls per second per replica); repeat (or comma-separate) for several, each with its --value')
            [CompletionResult]::new('--value', '--value', [CompletionResultType]::ParameterName, 'Target of each metric, in --metric order')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;autoscale;delete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;autoscale;list' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;autoscale;ls' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Output format: json or yaml (default: a table)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;autoscale;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add an autoscaling rule to a function')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Remove a function''s autoscaling rule')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List autoscaling rules')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;autoscale;help;create' {
            break
        }
        'kfn;autoscale;help;delete' {
            break
        }
        'kfn;autoscale;help;list' {
            break
        }
        'kfn;autoscale;help;help' {
            break
        }
        'kfn;get-server-config' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;version' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;local' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the engine in the background and print where it listens')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the engine (SIGTERM, then SIGKILL after the grace period)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)')
            [CompletionResult]::new('kubeconfig', 'kubeconfig', [CompletionResultType]::ParameterValue, 'Print the path of the engine''s kubeconfig, starting the engine if needed')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Stop the engine and delete all its state')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the engine in the foreground, logging to stderr')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;local;start' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 (default: the last one used, else a free one)')
            [CompletionResult]::new('--nats', '--nats', [CompletionResultType]::ParameterName, 'NATS server whose messages NATS triggers deliver, e.g. nats://127.0.0.1:4222')
            [CompletionResult]::new('--kafka', '--kafka', [CompletionResultType]::ParameterName, 'Kafka brokers whose messages Kafka triggers deliver, e.g. 127.0.0.1:9092')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--no-run', '--no-run', [CompletionResultType]::ParameterName, 'Only store and serve objects: run no functions (for `kfn controller` and tests)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;local;stop' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'Seconds to wait for a graceful stop')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;local;status' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;local;kubeconfig' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;local;reset' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;local;serve' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 (default: the last one used, else a free one)')
            [CompletionResult]::new('--nats', '--nats', [CompletionResultType]::ParameterName, 'NATS server whose messages NATS triggers deliver, e.g. nats://127.0.0.1:4222')
            [CompletionResult]::new('--kafka', '--kafka', [CompletionResultType]::ParameterName, 'Kafka brokers whose messages Kafka triggers deliver, e.g. 127.0.0.1:9092')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--no-run', '--no-run', [CompletionResultType]::ParameterName, 'Only store and serve objects: run no functions (for `kfn controller` and tests)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;local;help' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the engine in the background and print where it listens')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the engine (SIGTERM, then SIGKILL after the grace period)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)')
            [CompletionResult]::new('kubeconfig', 'kubeconfig', [CompletionResultType]::ParameterValue, 'Print the path of the engine''s kubeconfig, starting the engine if needed')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Stop the engine and delete all its state')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the engine in the foreground, logging to stderr')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;local;help;start' {
            break
        }
        'kfn;local;help;stop' {
            break
        }
        'kfn;local;help;status' {
            break
        }
        'kfn;local;help;kubeconfig' {
            break
        }
        'kfn;local;help;reset' {
            break
        }
        'kfn;local;help;serve' {
            break
        }
        'kfn;local;help;help' {
            break
        }
        'kfn;cluster-info' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;install' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format of --dry-run: yaml or json')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of --dry-run: yaml or json')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The kfn image the controller runs (and copies into function pods)')
            [CompletionResult]::new('--nats-url', '--nats-url', [CompletionResultType]::ParameterName, 'NATS server the controller consumes NATS triggers from (sets NATS_URL), e.g. nats://nats.nats-io:4222')
            [CompletionResult]::new('--kafka-brokers', '--kafka-brokers', [CompletionResultType]::ParameterName, 'Kafka brokers the controller consumes Kafka triggers from (sets KAFKA_BROKERS), e.g. kafka.kubeless:9092')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the manifests instead of applying them')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;uninstall' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--crds', '--crds', [CompletionResultType]::ParameterName, 'Also delete the CRDs, and with them every Function and trigger')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;controller' {
            [CompletionResult]::new('--config-namespace', '--config-namespace', [CompletionResultType]::ParameterName, 'Namespace of the `kubeless-config` ConfigMap and of the leader Lease')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The kfn image copied into function pods')
            [CompletionResult]::new('--health-port', '--health-port', [CompletionResultType]::ParameterName, 'Port of /healthz and /metrics')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'Name of this replica in the leader Lease (default: $POD_NAME, else host and pid)')
            [CompletionResult]::new('--nats', '--nats', [CompletionResultType]::ParameterName, 'NATS server whose messages NATS triggers deliver, e.g. nats://nats.nats-io:4222')
            [CompletionResult]::new('--kafka-brokers', '--kafka-brokers', [CompletionResultType]::ParameterName, 'Kafka brokers whose messages Kafka triggers deliver, e.g. kafka.kubeless:9092')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;runtime' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)')
            [CompletionResult]::new('prepare', 'prepare', [CompletionResultType]::ParameterValue, 'Write a function''s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;runtime;serve' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;runtime;prepare' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file to use')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace (default: the context''s namespace, else `default`)')
            [CompletionResult]::new('--local', '--local', [CompletionResultType]::ParameterName, 'Use the local engine, whatever kubeconfig is present')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kfn;runtime;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)')
            [CompletionResult]::new('prepare', 'prepare', [CompletionResultType]::ParameterValue, 'Write a function''s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;runtime;help;serve' {
            break
        }
        'kfn;runtime;help;prepare' {
            break
        }
        'kfn;runtime;help;help' {
            break
        }
        'kfn;help' {
            [CompletionResult]::new('function', 'function', [CompletionResultType]::ParameterValue, 'Deploy, update, call and inspect functions')
            [CompletionResult]::new('trigger', 'trigger', [CompletionResultType]::ParameterValue, 'Make functions fire: HTTP routes, schedules, NATS, Kafka and Kinesis messages')
            [CompletionResult]::new('autoscale', 'autoscale', [CompletionResultType]::ParameterValue, 'Scale functions automatically: create, delete and list rules')
            [CompletionResult]::new('get-server-config', 'get-server-config', [CompletionResultType]::ParameterValue, 'Print the server''s runtime catalog')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print kfn''s version')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('local', 'local', [CompletionResultType]::ParameterValue, 'Run the whole system on this machine, with no cluster')
            [CompletionResult]::new('cluster-info', 'cluster-info', [CompletionResultType]::ParameterValue, 'Show which API server kfn talks to, and how it chose it')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install kfn on a cluster: CRDs, RBAC, the controller, the runtime catalog')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove kfn from a cluster (the CRDs stay unless --crds)')
            [CompletionResult]::new('controller', 'controller', [CompletionResultType]::ParameterValue, 'Run the cluster controller')
            [CompletionResult]::new('runtime', 'runtime', [CompletionResultType]::ParameterValue, 'The function runtime that runs inside every function replica')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kfn;help;function' {
            [CompletionResult]::new('deploy', 'deploy', [CompletionResultType]::ParameterValue, 'Deploy a function')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a function: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a function')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List functions')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show a function''s details')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Call a function through the API server')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a function''s logs (every replica)')
            [CompletionResult]::new('top', 'top', [CompletionResultType]::ParameterValue, 'Show call counts and durations from the functions'' metrics')
            break
        }
        'kfn;help;function;deploy' {
            break
        }
        'kfn;help;function;update' {
            break
        }
        'kfn;help;function;delete' {
            break
        }
        'kfn;help;function;list' {
            break
        }
        'kfn;help;function;describe' {
            break
        }
        'kfn;help;function;call' {
            break
        }
        'kfn;help;function;logs' {
            break
        }
        'kfn;help;function;top' {
            break
        }
        'kfn;help;trigger' {
            [CompletionResult]::new('http', 'http', [CompletionResultType]::ParameterValue, 'HTTP triggers: routes from a gateway to a function')
            [CompletionResult]::new('cronjob', 'cronjob', [CompletionResultType]::ParameterValue, 'Cron job triggers: call a function on a schedule')
            [CompletionResult]::new('nats', 'nats', [CompletionResultType]::ParameterValue, 'NATS triggers: deliver a subject''s messages to functions')
            [CompletionResult]::new('kafka', 'kafka', [CompletionResultType]::ParameterValue, 'Kafka triggers: deliver a topic''s messages to functions')
            [CompletionResult]::new('kinesis', 'kinesis', [CompletionResultType]::ParameterValue, 'Kinesis triggers: deliver a stream''s records to a function')
            break
        }
        'kfn;help;trigger;http' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create an HTTP trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update an HTTP trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete an HTTP trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)')
            break
        }
        'kfn;help;trigger;http;create' {
            break
        }
        'kfn;help;trigger;http;update' {
            break
        }
        'kfn;help;trigger;http;delete' {
            break
        }
        'kfn;help;trigger;http;list' {
            break
        }
        'kfn;help;trigger;cronjob' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a cron job trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a cron job trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a cron job trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List cron job triggers')
            break
        }
        'kfn;help;trigger;cronjob;create' {
            break
        }
        'kfn;help;trigger;cronjob;update' {
            break
        }
        'kfn;help;trigger;cronjob;delete' {
            break
        }
        'kfn;help;trigger;cronjob;list' {
            break
        }
        'kfn;help;trigger;nats' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a message')
            break
        }
        'kfn;help;trigger;nats;create' {
            break
        }
        'kfn;help;trigger;nats;update' {
            break
        }
        'kfn;help;trigger;nats;delete' {
            break
        }
        'kfn;help;trigger;nats;list' {
            break
        }
        'kfn;help;trigger;nats;publish' {
            break
        }
        'kfn;help;trigger;kafka' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Publish a message')
            break
        }
        'kfn;help;trigger;kafka;create' {
            break
        }
        'kfn;help;trigger;kafka;update' {
            break
        }
        'kfn;help;trigger;kafka;delete' {
            break
        }
        'kfn;help;trigger;kafka;list' {
            break
        }
        'kfn;help;trigger;kafka;publish' {
            break
        }
        'kfn;help;trigger;kinesis' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a Kinesis trigger')
            [CompletionResult]::new('update', 'update', [CompletionResultType]::ParameterValue, 'Update a Kinesis trigger: only the flags given change it')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete a Kinesis trigger')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List Kinesis triggers')
            [CompletionResult]::new('publish', 'publish', [CompletionResultType]::ParameterValue, 'Put records into a stream (needs AWS or a Kinesis endpoint)')
            [CompletionResult]::new('create-stream', 'create-stream', [CompletionResultType]::ParameterValue, 'Create a stream (needs AWS or a Kinesis endpoint)')
            break
        }
        'kfn;help;trigger;kinesis;create' {
            break
        }
        'kfn;help;trigger;kinesis;update' {
            break
        }
        'kfn;help;trigger;kinesis;delete' {
            break
        }
        'kfn;help;trigger;kinesis;list' {
            break
        }
        'kfn;help;trigger;kinesis;publish' {
            break
        }
        'kfn;help;trigger;kinesis;create-stream' {
            break
        }
        'kfn;help;autoscale' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Add an autoscaling rule to a function')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Remove a function''s autoscaling rule')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List autoscaling rules')
            break
        }
        'kfn;help;autoscale;create' {
            break
        }
        'kfn;help;autoscale;delete' {
            break
        }
        'kfn;help;autoscale;list' {
            break
        }
        'kfn;help;get-server-config' {
            break
        }
        'kfn;help;version' {
            break
        }
        'kfn;help;completion' {
            break
        }
        'kfn;help;local' {
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start the engine in the background and print where it listens')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop the engine (SIGTERM, then SIGKILL after the grace period)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)')
            [CompletionResult]::new('kubeconfig', 'kubeconfig', [CompletionResultType]::ParameterValue, 'Print the path of the engine''s kubeconfig, starting the engine if needed')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Stop the engine and delete all its state')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run the engine in the foreground, logging to stderr')
            break
        }
        'kfn;help;local;start' {
            break
        }
        'kfn;help;local;stop' {
            break
        }
        'kfn;help;local;status' {
            break
        }
        'kfn;help;local;kubeconfig' {
            break
        }
        'kfn;help;local;reset' {
            break
        }
        'kfn;help;local;serve' {
            break
        }
        'kfn;help;cluster-info' {
            break
        }
        'kfn;help;install' {
            break
        }
        'kfn;help;uninstall' {
            break
        }
        'kfn;help;controller' {
            break
        }
        'kfn;help;runtime' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)')
            [CompletionResult]::new('prepare', 'prepare', [CompletionResultType]::ParameterValue, 'Write a function''s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME')
            break
        }
        'kfn;help;runtime;serve' {
            break
        }
        'kfn;help;runtime;prepare' {
            break
        }
        'kfn;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
