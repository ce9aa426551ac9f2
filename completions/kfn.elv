
use builtin;
use str;

set edit:completion:arg-completer[kfn] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kfn'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kfn'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand function 'Deploy, update, call and inspect functions'
            cand autoscale 'Scale functions automatically: create, delete and list rules'
            cand get-server-config 'Print the server''s runtime catalog'
            cand version 'Print kfn''s version'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand local 'Run the whole system on this machine, with no cluster'
            cand cluster-info 'Show which API server kfn talks to, and how it chose it'
            cand runtime 'The function runtime that runs inside every function replica'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;function'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand deploy 'Deploy a function'
            cand update 'Update a function: only the flags given change it'
            cand delete 'Delete a function'
            cand list 'List functions'
            cand ls 'List functions'
            cand describe 'Show a function''s details'
            cand call 'Call a function through the API server'
            cand logs 'Print a function''s logs (every replica)'
            cand top 'Show call counts and durations from the functions'' metrics'
            cand stats 'Show call counts and durations from the functions'' metrics'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;function;deploy'= {
            cand -r 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`)'
            cand --runtime 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`)'
            cand --handler 'Handler: <module>.<function>'
            cand -f 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL'
            cand --from-file 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL'
            cand -d 'Dependency file (requirements.txt, package.json, ...) or its URL'
            cand --dependencies 'Dependency file (requirements.txt, package.json, ...) or its URL'
            cand -l 'Labels, key=value or key:value (repeatable, comma-separated)'
            cand --label 'Labels, key=value or key:value (repeatable, comma-separated)'
            cand -e 'Environment variables, key=value or key:value (repeatable, comma-separated)'
            cand --env 'Environment variables, key=value or key:value (repeatable, comma-separated)'
            cand --secrets 'Secrets to mount at /<secret> (repeatable, comma-separated)'
            cand --node-selectors 'Node selectors, key=value (repeatable, comma-separated)'
            cand --service-account 'Service account of the function''s pods'
            cand --memory 'Memory request and limit (a quantity: 128Mi, 1G, ...)'
            cand --cpu 'CPU request and limit (a quantity: 100m, 0.5, ...)'
            cand --runtime-image 'Custom image to run instead of a runtime'
            cand --image-pull-policy 'Image pull policy: Always, IfNotPresent or Never [deploy default: Always]'
            cand --timeout 'Timeout of one call, in seconds [deploy default: 180]'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --port 'Port the function listens on [deploy default: 8080]'
            cand --servicePort 'Port of the function''s Service, when it differs from --port'
            cand --wait-timeout 'How long --wait waits (e.g. 90s, 2m)'
            cand --schedule 'Cron schedule; also creates a CronJobTrigger named like the function'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --headless 'Make the function''s Service headless (clusterIP: None)'
            cand --dryrun 'Print the Function object instead of submitting it'
            cand --wait 'Wait until the function''s Deployment is ready'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;update'= {
            cand -r 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`)'
            cand --runtime 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`)'
            cand --handler 'Handler: <module>.<function>'
            cand -f 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL'
            cand --from-file 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL'
            cand -d 'Dependency file (requirements.txt, package.json, ...) or its URL'
            cand --dependencies 'Dependency file (requirements.txt, package.json, ...) or its URL'
            cand -l 'Labels, key=value or key:value (repeatable, comma-separated)'
            cand --label 'Labels, key=value or key:value (repeatable, comma-separated)'
            cand -e 'Environment variables, key=value or key:value (repeatable, comma-separated)'
            cand --env 'Environment variables, key=value or key:value (repeatable, comma-separated)'
            cand --secrets 'Secrets to mount at /<secret> (repeatable, comma-separated)'
            cand --node-selectors 'Node selectors, key=value (repeatable, comma-separated)'
            cand --service-account 'Service account of the function''s pods'
            cand --memory 'Memory request and limit (a quantity: 128Mi, 1G, ...)'
            cand --cpu 'CPU request and limit (a quantity: 100m, 0.5, ...)'
            cand --runtime-image 'Custom image to run instead of a runtime'
            cand --image-pull-policy 'Image pull policy: Always, IfNotPresent or Never [deploy default: Always]'
            cand --timeout 'Timeout of one call, in seconds [deploy default: 180]'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --port 'Port the function listens on [deploy default: 8080]'
            cand --servicePort 'Port of the function''s Service, when it differs from --port'
            cand --wait-timeout 'How long --wait waits (e.g. 90s, 2m)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --headless 'Make the function''s Service headless (clusterIP: None)'
            cand --dryrun 'Print the Function object instead of submitting it'
            cand --wait 'Wait until the function''s Deployment is ready'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;delete'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;list'= {
            cand -o 'Output format: wide, json or yaml (default: a table)'
            cand --out 'Output format: wide, json or yaml (default: a table)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;ls'= {
            cand -o 'Output format: wide, json or yaml (default: a table)'
            cand --out 'Output format: wide, json or yaml (default: a table)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;describe'= {
            cand -o 'Output format: json or yaml (default: a table)'
            cand --out 'Output format: json or yaml (default: a table)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;call'= {
            cand -d 'Data to send (a POST); JSON objects are sent as application/json'
            cand --data 'Data to send (a POST); JSON objects are sent as application/json'
            cand --data-file 'Read the data from a file (`-` for stdin)'
            cand -X 'HTTP method (default: GET without data, POST with it)'
            cand --method 'HTTP method (default: GET without data, POST with it)'
            cand -H 'Extra request headers, `Name: value` (repeatable)'
            cand --header 'Extra request headers, `Name: value` (repeatable)'
            cand --query 'Query string, e.g. `a=1&b=2`'
            cand --path 'Path to call (default: /)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand -i 'Print the response''s status line and headers before the body'
            cand --include 'Print the response''s status line and headers before the body'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;logs'= {
            cand --tail 'Only the last N lines of each replica'
            cand --since 'Only lines newer than this (e.g. 10s, 5m, 1h)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand -f 'Keep printing new lines'
            cand --follow 'Keep printing new lines'
            cand --timestamps 'Prefix each line with its time'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;top'= {
            cand -f 'One function (default: all in the namespace)'
            cand --function 'One function (default: all in the namespace)'
            cand -o 'Output format: json or yaml (default: a table)'
            cand --out 'Output format: json or yaml (default: a table)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;stats'= {
            cand -f 'One function (default: all in the namespace)'
            cand --function 'One function (default: all in the namespace)'
            cand -o 'Output format: json or yaml (default: a table)'
            cand --out 'Output format: json or yaml (default: a table)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;function;help'= {
            cand deploy 'Deploy a function'
            cand update 'Update a function: only the flags given change it'
            cand delete 'Delete a function'
            cand list 'List functions'
            cand describe 'Show a function''s details'
            cand call 'Call a function through the API server'
            cand logs 'Print a function''s logs (every replica)'
            cand top 'Show call counts and durations from the functions'' metrics'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;function;help;deploy'= {
        }
        &'kfn;function;help;update'= {
        }
        &'kfn;function;help;delete'= {
        }
        &'kfn;function;help;list'= {
        }
        &'kfn;function;help;describe'= {
        }
        &'kfn;function;help;call'= {
        }
        &'kfn;function;help;logs'= {
        }
        &'kfn;function;help;top'= {
        }
        &'kfn;function;help;help'= {
        }
        &'kfn;autoscale'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Add an autoscaling rule to a function'
            cand delete 'Remove a function''s autoscaling rule'
            cand list 'List autoscaling rules'
            cand ls 'List autoscaling rules'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;autoscale;create'= {
            cand --min 'Fewest replicas'
            cand --max 'Most replicas'
            cand --metric 'Metric: cpu (percent of the CPU request), memory (percent of the memory request) or qps (calls per second per replica); repeat (or comma-separate) for several, each with its --value'
            cand --value 'Target of each metric, in --metric order'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;autoscale;delete'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;autoscale;list'= {
            cand -o 'Output format: json or yaml (default: a table)'
            cand --out 'Output format: json or yaml (default: a table)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;autoscale;ls'= {
            cand -o 'Output format: json or yaml (default: a table)'
            cand --out 'Output format: json or yaml (default: a table)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;autoscale;help'= {
            cand create 'Add an autoscaling rule to a function'
            cand delete 'Remove a function''s autoscaling rule'
            cand list 'List autoscaling rules'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;autoscale;help;create'= {
        }
        &'kfn;autoscale;help;delete'= {
        }
        &'kfn;autoscale;help;list'= {
        }
        &'kfn;autoscale;help;help'= {
        }
        &'kfn;get-server-config'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;version'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;completion'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;local'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand start 'Start the engine in the background and print where it listens'
            cand stop 'Stop the engine (SIGTERM, then SIGKILL after the grace period)'
            cand status 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)'
            cand kubeconfig 'Print the path of the engine''s kubeconfig, starting the engine if needed'
            cand reset 'Stop the engine and delete all its state'
            cand serve 'Run the engine in the foreground, logging to stderr'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;local;start'= {
            cand --port 'Port on 127.0.0.1 (default: the last one used, else a free one)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --no-run 'Only store and serve objects: run no functions (for `kfn controller` and tests)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;local;stop'= {
            cand --grace 'Seconds to wait for a graceful stop'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;local;status'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;local;kubeconfig'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;local;reset'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;local;serve'= {
            cand --port 'Port on 127.0.0.1 (default: the last one used, else a free one)'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --no-run 'Only store and serve objects: run no functions (for `kfn controller` and tests)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;local;help'= {
            cand start 'Start the engine in the background and print where it listens'
            cand stop 'Stop the engine (SIGTERM, then SIGKILL after the grace period)'
            cand status 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)'
            cand kubeconfig 'Print the path of the engine''s kubeconfig, starting the engine if needed'
            cand reset 'Stop the engine and delete all its state'
            cand serve 'Run the engine in the foreground, logging to stderr'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;local;help;start'= {
        }
        &'kfn;local;help;stop'= {
        }
        &'kfn;local;help;status'= {
        }
        &'kfn;local;help;kubeconfig'= {
        }
        &'kfn;local;help;reset'= {
        }
        &'kfn;local;help;serve'= {
        }
        &'kfn;local;help;help'= {
        }
        &'kfn;cluster-info'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;runtime'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;runtime;serve'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;runtime;help'= {
            cand serve 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;runtime;help;serve'= {
        }
        &'kfn;runtime;help;help'= {
        }
        &'kfn;help'= {
            cand function 'Deploy, update, call and inspect functions'
            cand autoscale 'Scale functions automatically: create, delete and list rules'
            cand get-server-config 'Print the server''s runtime catalog'
            cand version 'Print kfn''s version'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand local 'Run the whole system on this machine, with no cluster'
            cand cluster-info 'Show which API server kfn talks to, and how it chose it'
            cand runtime 'The function runtime that runs inside every function replica'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;help;function'= {
            cand deploy 'Deploy a function'
            cand update 'Update a function: only the flags given change it'
            cand delete 'Delete a function'
            cand list 'List functions'
            cand describe 'Show a function''s details'
            cand call 'Call a function through the API server'
            cand logs 'Print a function''s logs (every replica)'
            cand top 'Show call counts and durations from the functions'' metrics'
        }
        &'kfn;help;function;deploy'= {
        }
        &'kfn;help;function;update'= {
        }
        &'kfn;help;function;delete'= {
        }
        &'kfn;help;function;list'= {
        }
        &'kfn;help;function;describe'= {
        }
        &'kfn;help;function;call'= {
        }
        &'kfn;help;function;logs'= {
        }
        &'kfn;help;function;top'= {
        }
        &'kfn;help;autoscale'= {
            cand create 'Add an autoscaling rule to a function'
            cand delete 'Remove a function''s autoscaling rule'
            cand list 'List autoscaling rules'
        }
        &'kfn;help;autoscale;create'= {
        }
        &'kfn;help;autoscale;delete'= {
        }
        &'kfn;help;autoscale;list'= {
        }
        &'kfn;help;get-server-config'= {
        }
        &'kfn;help;version'= {
        }
        &'kfn;help;completion'= {
        }
        &'kfn;help;local'= {
            cand start 'Start the engine in the background and print where it listens'
            cand stop 'Stop the engine (SIGTERM, then SIGKILL after the grace period)'
            cand status 'Show whether the engine runs, where, and what it holds (exit 3 when stopped)'
            cand kubeconfig 'Print the path of the engine''s kubeconfig, starting the engine if needed'
            cand reset 'Stop the engine and delete all its state'
            cand serve 'Run the engine in the foreground, logging to stderr'
        }
        &'kfn;help;local;start'= {
        }
        &'kfn;help;local;stop'= {
        }
        &'kfn;help;local;status'= {
        }
        &'kfn;help;local;kubeconfig'= {
        }
        &'kfn;help;local;reset'= {
        }
        &'kfn;help;local;serve'= {
        }
        &'kfn;help;cluster-info'= {
        }
        &'kfn;help;runtime'= {
            cand serve 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)'
        }
        &'kfn;help;runtime;serve'= {
        }
        &'kfn;help;help'= {
        }
    ]
    $completions[$command]
}
