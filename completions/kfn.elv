
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
            cand trigger 'Make functions fire: HTTP routes, schedules, NATS, Kafka and Kinesis messages'
            cand autoscale 'Scale functions automatically: create, delete and list rules'
            cand get-server-config 'Print the server''s runtime catalog'
            cand version 'Print kfn''s version'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand local 'Run the whole system on this machine, with no cluster'
            cand cluster-info 'Show which API server kfn talks to, and how it chose it'
            cand install 'Install kfn on a cluster: CRDs, RBAC, the controller, the runtime catalog'
            cand uninstall 'Remove kfn from a cluster (the CRDs stay unless --crds)'
            cand controller 'Run the cluster controller'
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
            cand -r 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`) [required unless --runtime-image]'
            cand --runtime 'Runtime id, e.g. python3.12 or nodejs20 (see `kfn get-server-config`) [required unless --runtime-image]'
            cand --handler 'Handler: <module>.<function> [required with --runtime]'
            cand -f 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL [required unless --runtime-image]'
            cand --from-file 'Code: a file, an archive (.zip, .tar.gz, ...), a directory, or an http(s) URL [required unless --runtime-image]'
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
            cand --path 'Path to call'
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
        &'kfn;trigger'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand http 'HTTP triggers: routes from a gateway to a function'
            cand cronjob 'Cron job triggers: call a function on a schedule'
            cand nats 'NATS triggers: deliver a subject''s messages to functions'
            cand kafka 'Kafka triggers: deliver a topic''s messages to functions'
            cand kinesis 'Kinesis triggers: deliver a stream''s records to a function'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;http'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create an HTTP trigger'
            cand update 'Update an HTTP trigger: only the flags given change it'
            cand delete 'Delete an HTTP trigger'
            cand list 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)'
            cand ls 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;http;create'= {
            cand --path 'Path of the route, without a leading slash (default: the root, /)'
            cand --hostname 'Host name of the route (nginx default: <function>.<API server host>.nip.io)'
            cand --tls-secret 'Existing TLS secret for the route'
            cand --basic-auth-secret 'Secret with an htpasswd `auth` key: basic authentication'
            cand --function-name 'The function to call'
            cand --gateway 'Ingress controller: nginx, traefik or kong'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --enableTLSAcme 'Ask for a TLS certificate (cert-manager / kube-lego)'
            cand --cors-enable 'Add CORS headers'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;http;update'= {
            cand --path 'Path of the route, without a leading slash (default: the root, /)'
            cand --hostname 'Host name of the route (nginx default: <function>.<API server host>.nip.io)'
            cand --tls-secret 'Existing TLS secret for the route'
            cand --basic-auth-secret 'Secret with an htpasswd `auth` key: basic authentication'
            cand --function-name 'The function to call'
            cand --gateway 'Ingress controller: nginx, traefik or kong'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --enableTLSAcme 'Ask for a TLS certificate (cert-manager / kube-lego)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;http;delete'= {
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
        &'kfn;trigger;http;list'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;http;ls'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;http;help'= {
            cand create 'Create an HTTP trigger'
            cand update 'Update an HTTP trigger: only the flags given change it'
            cand delete 'Delete an HTTP trigger'
            cand list 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;http;help;create'= {
        }
        &'kfn;trigger;http;help;update'= {
        }
        &'kfn;trigger;http;help;delete'= {
        }
        &'kfn;trigger;http;help;list'= {
        }
        &'kfn;trigger;http;help;help'= {
        }
        &'kfn;trigger;cronjob'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a cron job trigger'
            cand update 'Update a cron job trigger: only the flags given change it'
            cand delete 'Delete a cron job trigger'
            cand list 'List cron job triggers'
            cand ls 'List cron job triggers'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;cronjob;create'= {
            cand --schedule 'Cron schedule (5 fields, @hourly and the like, or @every <duration>), in UTC'
            cand --function 'The function to call'
            cand -p 'JSON payload to POST at each firing (without one, the function gets a GET)'
            cand --payload 'JSON payload to POST at each firing (without one, the function gets a GET)'
            cand -f 'A .json file (or its URL) with the payload'
            cand --payload-from-file 'A .json file (or its URL) with the payload'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;cronjob;update'= {
            cand --schedule 'Cron schedule'
            cand --function 'The function to call'
            cand -p 'JSON payload to POST at each firing (without one, the function gets a GET)'
            cand --payload 'JSON payload to POST at each firing (without one, the function gets a GET)'
            cand -f 'A .json file (or its URL) with the payload'
            cand --payload-from-file 'A .json file (or its URL) with the payload'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;cronjob;delete'= {
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
        &'kfn;trigger;cronjob;list'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;cronjob;ls'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;cronjob;help'= {
            cand create 'Create a cron job trigger'
            cand update 'Update a cron job trigger: only the flags given change it'
            cand delete 'Delete a cron job trigger'
            cand list 'List cron job triggers'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;cronjob;help;create'= {
        }
        &'kfn;trigger;cronjob;help;update'= {
        }
        &'kfn;trigger;cronjob;help;delete'= {
        }
        &'kfn;trigger;cronjob;help;list'= {
        }
        &'kfn;trigger;cronjob;help;help'= {
        }
        &'kfn;trigger;nats'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a trigger'
            cand update 'Update a trigger: only the flags given change it'
            cand delete 'Delete a trigger'
            cand list 'List triggers'
            cand ls 'List triggers'
            cand publish 'Publish a message'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;nats;create'= {
            cand --trigger-topic 'Topic (subject) to consume'
            cand --function-selector 'Label selector of the functions that receive every message, e.g. created-by=kubeless,topic=t1'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;nats;update'= {
            cand --trigger-topic 'Topic (subject) to consume'
            cand --function-selector 'Label selector of the functions that receive every message'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;nats;delete'= {
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
        &'kfn;trigger;nats;list'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;nats;ls'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;nats;publish'= {
            cand --url 'NATS server URL, e.g. nats://127.0.0.1:4222'
            cand --topic 'Subject to publish to'
            cand --message 'The message'
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
        &'kfn;trigger;nats;help'= {
            cand create 'Create a trigger'
            cand update 'Update a trigger: only the flags given change it'
            cand delete 'Delete a trigger'
            cand list 'List triggers'
            cand publish 'Publish a message'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;nats;help;create'= {
        }
        &'kfn;trigger;nats;help;update'= {
        }
        &'kfn;trigger;nats;help;delete'= {
        }
        &'kfn;trigger;nats;help;list'= {
        }
        &'kfn;trigger;nats;help;publish'= {
        }
        &'kfn;trigger;nats;help;help'= {
        }
        &'kfn;trigger;kafka'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a trigger'
            cand update 'Update a trigger: only the flags given change it'
            cand delete 'Delete a trigger'
            cand list 'List triggers'
            cand ls 'List triggers'
            cand publish 'Publish a message'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;kafka;create'= {
            cand --trigger-topic 'Topic (subject) to consume'
            cand --function-selector 'Label selector of the functions that receive every message, e.g. created-by=kubeless,topic=t1'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;kafka;update'= {
            cand --trigger-topic 'Topic (subject) to consume'
            cand --function-selector 'Label selector of the functions that receive every message'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;kafka;delete'= {
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
        &'kfn;trigger;kafka;list'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;kafka;ls'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;kafka;publish'= {
            cand --brokers 'Kafka brokers, e.g. 127.0.0.1:9092'
            cand --topic 'Topic to publish to'
            cand --data 'The message'
            cand --message 'The message'
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
        &'kfn;trigger;kafka;help'= {
            cand create 'Create a trigger'
            cand update 'Update a trigger: only the flags given change it'
            cand delete 'Delete a trigger'
            cand list 'List triggers'
            cand publish 'Publish a message'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;kafka;help;create'= {
        }
        &'kfn;trigger;kafka;help;update'= {
        }
        &'kfn;trigger;kafka;help;delete'= {
        }
        &'kfn;trigger;kafka;help;list'= {
        }
        &'kfn;trigger;kafka;help;publish'= {
        }
        &'kfn;trigger;kafka;help;help'= {
        }
        &'kfn;trigger;kinesis'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a Kinesis trigger'
            cand update 'Update a Kinesis trigger: only the flags given change it'
            cand delete 'Delete a Kinesis trigger'
            cand list 'List Kinesis triggers'
            cand ls 'List Kinesis triggers'
            cand publish 'Put records into a stream (needs AWS or a Kinesis endpoint)'
            cand create-stream 'Create a stream (needs AWS or a Kinesis endpoint)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;kinesis;create'= {
            cand --stream 'Name of the Kinesis stream to read'
            cand --aws-region 'AWS region of the stream, e.g. us-west-2'
            cand --shard-id 'Shard of the stream to read, e.g. shardId-000000000000'
            cand --function-name 'The function that receives the records'
            cand --secret 'Secret with aws_access_key_id and aws_secret_access_key'
            cand --endpoint 'Kinesis endpoint URL (e.g. a local kinesalite)'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;kinesis;update'= {
            cand --stream 'Name of the Kinesis stream to read'
            cand --aws-region 'AWS region of the stream, e.g. us-west-2'
            cand --shard-id 'Shard of the stream to read, e.g. shardId-000000000000'
            cand --function-name 'The function that receives the records'
            cand --secret 'Secret with aws_access_key_id and aws_secret_access_key'
            cand --endpoint 'Kinesis endpoint URL (e.g. a local kinesalite)'
            cand -o 'Output format of --dryrun: yaml or json'
            cand --output 'Output format of --dryrun: yaml or json'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dryrun 'Print the object instead of creating it'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;trigger;kinesis;delete'= {
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
        &'kfn;trigger;kinesis;list'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;kinesis;ls'= {
            cand -o 'Output format: json, yaml or wide (default: a table)'
            cand --out 'Output format: json, yaml or wide (default: a table)'
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
        &'kfn;trigger;kinesis;publish'= {
            cand --stream 'Name of the Kinesis stream'
            cand --aws-region 'AWS region of the stream, e.g. us-west-2'
            cand --partition-key 'Partition key of the records (publish)'
            cand --records 'Records to put (publish; repeatable)'
            cand --secret 'Secret with aws_access_key_id and aws_secret_access_key'
            cand --endpoint 'Kinesis endpoint URL (e.g. a local kinesalite)'
            cand --shard-count 'Number of shards of the new stream (create-stream)'
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
        &'kfn;trigger;kinesis;create-stream'= {
            cand --stream 'Name of the Kinesis stream'
            cand --aws-region 'AWS region of the stream, e.g. us-west-2'
            cand --partition-key 'Partition key of the records (publish)'
            cand --records 'Records to put (publish; repeatable)'
            cand --secret 'Secret with aws_access_key_id and aws_secret_access_key'
            cand --endpoint 'Kinesis endpoint URL (e.g. a local kinesalite)'
            cand --shard-count 'Number of shards of the new stream (create-stream)'
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
        &'kfn;trigger;kinesis;help'= {
            cand create 'Create a Kinesis trigger'
            cand update 'Update a Kinesis trigger: only the flags given change it'
            cand delete 'Delete a Kinesis trigger'
            cand list 'List Kinesis triggers'
            cand publish 'Put records into a stream (needs AWS or a Kinesis endpoint)'
            cand create-stream 'Create a stream (needs AWS or a Kinesis endpoint)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;kinesis;help;create'= {
        }
        &'kfn;trigger;kinesis;help;update'= {
        }
        &'kfn;trigger;kinesis;help;delete'= {
        }
        &'kfn;trigger;kinesis;help;list'= {
        }
        &'kfn;trigger;kinesis;help;publish'= {
        }
        &'kfn;trigger;kinesis;help;create-stream'= {
        }
        &'kfn;trigger;kinesis;help;help'= {
        }
        &'kfn;trigger;help'= {
            cand http 'HTTP triggers: routes from a gateway to a function'
            cand cronjob 'Cron job triggers: call a function on a schedule'
            cand nats 'NATS triggers: deliver a subject''s messages to functions'
            cand kafka 'Kafka triggers: deliver a topic''s messages to functions'
            cand kinesis 'Kinesis triggers: deliver a stream''s records to a function'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;trigger;help;http'= {
            cand create 'Create an HTTP trigger'
            cand update 'Update an HTTP trigger: only the flags given change it'
            cand delete 'Delete an HTTP trigger'
            cand list 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)'
        }
        &'kfn;trigger;help;http;create'= {
        }
        &'kfn;trigger;help;http;update'= {
        }
        &'kfn;trigger;help;http;delete'= {
        }
        &'kfn;trigger;help;http;list'= {
        }
        &'kfn;trigger;help;cronjob'= {
            cand create 'Create a cron job trigger'
            cand update 'Update a cron job trigger: only the flags given change it'
            cand delete 'Delete a cron job trigger'
            cand list 'List cron job triggers'
        }
        &'kfn;trigger;help;cronjob;create'= {
        }
        &'kfn;trigger;help;cronjob;update'= {
        }
        &'kfn;trigger;help;cronjob;delete'= {
        }
        &'kfn;trigger;help;cronjob;list'= {
        }
        &'kfn;trigger;help;nats'= {
            cand create 'Create a trigger'
            cand update 'Update a trigger: only the flags given change it'
            cand delete 'Delete a trigger'
            cand list 'List triggers'
            cand publish 'Publish a message'
        }
        &'kfn;trigger;help;nats;create'= {
        }
        &'kfn;trigger;help;nats;update'= {
        }
        &'kfn;trigger;help;nats;delete'= {
        }
        &'kfn;trigger;help;nats;list'= {
        }
        &'kfn;trigger;help;nats;publish'= {
        }
        &'kfn;trigger;help;kafka'= {
            cand create 'Create a trigger'
            cand update 'Update a trigger: only the flags given change it'
            cand delete 'Delete a trigger'
            cand list 'List triggers'
            cand publish 'Publish a message'
        }
        &'kfn;trigger;help;kafka;create'= {
        }
        &'kfn;trigger;help;kafka;update'= {
        }
        &'kfn;trigger;help;kafka;delete'= {
        }
        &'kfn;trigger;help;kafka;list'= {
        }
        &'kfn;trigger;help;kafka;publish'= {
        }
        &'kfn;trigger;help;kinesis'= {
            cand create 'Create a Kinesis trigger'
            cand update 'Update a Kinesis trigger: only the flags given change it'
            cand delete 'Delete a Kinesis trigger'
            cand list 'List Kinesis triggers'
            cand publish 'Put records into a stream (needs AWS or a Kinesis endpoint)'
            cand create-stream 'Create a stream (needs AWS or a Kinesis endpoint)'
        }
        &'kfn;trigger;help;kinesis;create'= {
        }
        &'kfn;trigger;help;kinesis;update'= {
        }
        &'kfn;trigger;help;kinesis;delete'= {
        }
        &'kfn;trigger;help;kinesis;list'= {
        }
        &'kfn;trigger;help;kinesis;publish'= {
        }
        &'kfn;trigger;help;kinesis;create-stream'= {
        }
        &'kfn;trigger;help;help'= {
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
            cand --nats 'NATS server whose messages NATS triggers deliver, e.g. nats://127.0.0.1:4222'
            cand --kafka 'Kafka brokers whose messages Kafka triggers deliver, e.g. 127.0.0.1:9092'
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
            cand --nats 'NATS server whose messages NATS triggers deliver, e.g. nats://127.0.0.1:4222'
            cand --kafka 'Kafka brokers whose messages Kafka triggers deliver, e.g. 127.0.0.1:9092'
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
        &'kfn;install'= {
            cand -o 'Output format of --dry-run: yaml or json'
            cand --output 'Output format of --dry-run: yaml or json'
            cand --image 'The kfn image the controller runs (and copies into function pods)'
            cand --nats-url 'NATS server the controller consumes NATS triggers from (sets NATS_URL), e.g. nats://nats.nats-io:4222'
            cand --kafka-brokers 'Kafka brokers the controller consumes Kafka triggers from (sets KAFKA_BROKERS), e.g. kafka.kubeless:9092'
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --dry-run 'Print the manifests instead of applying them'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;uninstall'= {
            cand --kubeconfig 'Path to the kubeconfig file to use'
            cand --context 'The kubeconfig context to use'
            cand -n 'Namespace (default: the context''s namespace, else `default`)'
            cand --namespace 'Namespace (default: the context''s namespace, else `default`)'
            cand --crds 'Also delete the CRDs, and with them every Function and trigger'
            cand --local 'Use the local engine, whatever kubeconfig is present'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'kfn;controller'= {
            cand --config-namespace 'Namespace of the `kubeless-config` ConfigMap and of the leader Lease'
            cand --image 'The kfn image copied into function pods'
            cand --health-port 'Port of /healthz and /metrics'
            cand --identity 'Name of this replica in the leader Lease (default: $POD_NAME, else host and pid)'
            cand --nats 'NATS server whose messages NATS triggers deliver, e.g. nats://nats.nats-io:4222'
            cand --kafka-brokers 'Kafka brokers whose messages Kafka triggers deliver, e.g. kafka.kubeless:9092'
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
            cand prepare 'Write a function''s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME'
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
        &'kfn;runtime;prepare'= {
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
            cand prepare 'Write a function''s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kfn;runtime;help;serve'= {
        }
        &'kfn;runtime;help;prepare'= {
        }
        &'kfn;runtime;help;help'= {
        }
        &'kfn;help'= {
            cand function 'Deploy, update, call and inspect functions'
            cand trigger 'Make functions fire: HTTP routes, schedules, NATS, Kafka and Kinesis messages'
            cand autoscale 'Scale functions automatically: create, delete and list rules'
            cand get-server-config 'Print the server''s runtime catalog'
            cand version 'Print kfn''s version'
            cand completion 'Print a shell completion script (bash, zsh, fish, powershell, elvish)'
            cand local 'Run the whole system on this machine, with no cluster'
            cand cluster-info 'Show which API server kfn talks to, and how it chose it'
            cand install 'Install kfn on a cluster: CRDs, RBAC, the controller, the runtime catalog'
            cand uninstall 'Remove kfn from a cluster (the CRDs stay unless --crds)'
            cand controller 'Run the cluster controller'
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
        &'kfn;help;trigger'= {
            cand http 'HTTP triggers: routes from a gateway to a function'
            cand cronjob 'Cron job triggers: call a function on a schedule'
            cand nats 'NATS triggers: deliver a subject''s messages to functions'
            cand kafka 'Kafka triggers: deliver a topic''s messages to functions'
            cand kinesis 'Kinesis triggers: deliver a stream''s records to a function'
        }
        &'kfn;help;trigger;http'= {
            cand create 'Create an HTTP trigger'
            cand update 'Update an HTTP trigger: only the flags given change it'
            cand delete 'Delete an HTTP trigger'
            cand list 'List HTTP triggers (`-o wide` adds the host, the path and the local gateway''s address)'
        }
        &'kfn;help;trigger;http;create'= {
        }
        &'kfn;help;trigger;http;update'= {
        }
        &'kfn;help;trigger;http;delete'= {
        }
        &'kfn;help;trigger;http;list'= {
        }
        &'kfn;help;trigger;cronjob'= {
            cand create 'Create a cron job trigger'
            cand update 'Update a cron job trigger: only the flags given change it'
            cand delete 'Delete a cron job trigger'
            cand list 'List cron job triggers'
        }
        &'kfn;help;trigger;cronjob;create'= {
        }
        &'kfn;help;trigger;cronjob;update'= {
        }
        &'kfn;help;trigger;cronjob;delete'= {
        }
        &'kfn;help;trigger;cronjob;list'= {
        }
        &'kfn;help;trigger;nats'= {
            cand create 'Create a trigger'
            cand update 'Update a trigger: only the flags given change it'
            cand delete 'Delete a trigger'
            cand list 'List triggers'
            cand publish 'Publish a message'
        }
        &'kfn;help;trigger;nats;create'= {
        }
        &'kfn;help;trigger;nats;update'= {
        }
        &'kfn;help;trigger;nats;delete'= {
        }
        &'kfn;help;trigger;nats;list'= {
        }
        &'kfn;help;trigger;nats;publish'= {
        }
        &'kfn;help;trigger;kafka'= {
            cand create 'Create a trigger'
            cand update 'Update a trigger: only the flags given change it'
            cand delete 'Delete a trigger'
            cand list 'List triggers'
            cand publish 'Publish a message'
        }
        &'kfn;help;trigger;kafka;create'= {
        }
        &'kfn;help;trigger;kafka;update'= {
        }
        &'kfn;help;trigger;kafka;delete'= {
        }
        &'kfn;help;trigger;kafka;list'= {
        }
        &'kfn;help;trigger;kafka;publish'= {
        }
        &'kfn;help;trigger;kinesis'= {
            cand create 'Create a Kinesis trigger'
            cand update 'Update a Kinesis trigger: only the flags given change it'
            cand delete 'Delete a Kinesis trigger'
            cand list 'List Kinesis triggers'
            cand publish 'Put records into a stream (needs AWS or a Kinesis endpoint)'
            cand create-stream 'Create a stream (needs AWS or a Kinesis endpoint)'
        }
        &'kfn;help;trigger;kinesis;create'= {
        }
        &'kfn;help;trigger;kinesis;update'= {
        }
        &'kfn;help;trigger;kinesis;delete'= {
        }
        &'kfn;help;trigger;kinesis;list'= {
        }
        &'kfn;help;trigger;kinesis;publish'= {
        }
        &'kfn;help;trigger;kinesis;create-stream'= {
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
        &'kfn;help;install'= {
        }
        &'kfn;help;uninstall'= {
        }
        &'kfn;help;controller'= {
        }
        &'kfn;help;runtime'= {
            cand serve 'Serve a function over HTTP on FUNC_PORT, configured by MOD_NAME, FUNC_HANDLER, FUNC_TIMEOUT, FUNC_RUNTIME, FUNC_MEMORY_LIMIT and KUBELESS_INSTALL_VOLUME (and KFN_WORKERS, KFN_BODY_LIMIT, KFN_FUNCTION_NAME, KFN_ACCESS_LOG=off)'
            cand prepare 'Write a function''s code into the code volume (the init container of function pods), configured by KFN_SOURCE, KFN_CONTENT_TYPE, KFN_CHECKSUM, KFN_SUFFIX, KFN_DEPS_FILE, MOD_NAME and KUBELESS_INSTALL_VOLUME'
        }
        &'kfn;help;runtime;serve'= {
        }
        &'kfn;help;runtime;prepare'= {
        }
        &'kfn;help;help'= {
        }
    ]
    $completions[$command]
}
