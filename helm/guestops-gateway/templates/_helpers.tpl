{{/* Chart name, truncated to the 63 characters of a label value. */}}
{{- define "guestops-gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; the release name alone when it already contains the chart name. */}}
{{- define "guestops-gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "guestops-gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: stable for the life of the release (no version in them, selectors are immutable). */}}
{{- define "guestops-gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "guestops-gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "guestops-gateway.labels" -}}
helm.sh/chart: {{ include "guestops-gateway.chart" . }}
{{ include "guestops-gateway.selectorLabels" . }}
app.kubernetes.io/version: {{ (include "guestops-gateway.imageTag" .) | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: gateway
app.kubernetes.io/part-of: guestops
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "guestops-gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "guestops-gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "guestops-gateway.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "guestops-gateway.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "guestops-gateway.imageTag" .) }}
{{- end }}
{{- end }}

{{/* Name of the Secret the chart creates for host passwords given inline. */}}
{{- define "guestops-gateway.hostsSecretName" -}}
{{- printf "%s-hosts" (include "guestops-gateway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Environment variable carrying a host's password: GUESTOPS_HOST_PASSWORD_<NAME>. Deliberately
     outside the gateway.* namespace, so it can never be mistaken for a gateway.hosts.* property. */}}
{{- define "guestops-gateway.hostPasswordEnv" -}}
{{- printf "GUESTOPS_HOST_PASSWORD_%s" (. | upper | replace "-" "_") }}
{{- end }}

{{/* True (non-empty) when at least one host password comes from the chart-created Secret. */}}
{{- define "guestops-gateway.createsHostsSecret" -}}
{{- range $name, $host := .Values.gateway.hosts }}
{{- if and $host.password (not $host.passwordSecretRef) }}true{{ end }}
{{- end }}
{{- end }}

{{/* gateway.resilience.deadline in whole seconds (rounded up): 60 when unset; empty for an ISO-8601 value. */}}
{{- define "guestops-gateway.deadlineSeconds" -}}
{{- $deadline := toString (dig "resilience" "deadline" "60s" .Values.gateway) }}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $deadline }}
{{- $unit := trimPrefix $number $deadline }}
{{- $factor := dict "ms" 0.001 "s" 1.0 "" 1.0 "m" 60.0 "h" 3600.0 "d" 86400.0 }}
{{- if and $number (hasKey $factor $unit) }}
{{- mulf (float64 $number) (get $factor $unit) | ceil | int }}
{{- end }}
{{- end }}

{{/*
The pod's grace period. On SIGTERM the pod serves for shutdown.delaySeconds (readiness down), then
refuses new requests and lets the ones in flight finish for up to shutdown.timeoutSeconds; the last
request accepted may run its whole deadline, so the timeout must cover it, and the grace period both.
*/}}
{{- define "guestops-gateway.terminationGracePeriodSeconds" -}}
{{- $deadline := include "guestops-gateway.deadlineSeconds" . }}
{{- if and $deadline (lt (int .Values.shutdown.timeoutSeconds) (int $deadline)) }}
{{- fail (printf "shutdown.timeoutSeconds (%v) must be at least gateway.resilience.deadline (%v s): a request accepted just before the shutdown delay ends may run that long" .Values.shutdown.timeoutSeconds $deadline) }}
{{- end }}
{{- $minimum := add .Values.shutdown.delaySeconds .Values.shutdown.timeoutSeconds }}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add $minimum 10 }}
{{- else if le (int .Values.terminationGracePeriodSeconds) (int $minimum) }}
{{- fail (printf "terminationGracePeriodSeconds (%v) must be larger than shutdown.delaySeconds + shutdown.timeoutSeconds (%v)" .Values.terminationGracePeriodSeconds $minimum) }}
{{- else }}
{{- .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* The ports of the hosts' URLs (443 / 80 by scheme when the URL has none), sorted, unique. */}}
{{- define "guestops-gateway.hostPorts" -}}
{{- $ports := list }}
{{- range $name, $host := .Values.gateway.hosts }}
{{- if $host.url }}
{{- $url := urlParse $host.url }}
{{- $explicit := regexFind ":[0-9]+$" $url.host }}
{{- if $explicit }}
{{- $ports = append $ports (trimPrefix ":" $explicit | int) }}
{{- else if eq $url.scheme "http" }}
{{- $ports = append $ports 80 }}
{{- else }}
{{- $ports = append $ports 443 }}
{{- end }}
{{- end }}
{{- end }}
{{- range $.Values.networkPolicy.egress.extraPorts }}
{{- $ports = append $ports (int .) }}
{{- end }}
{{- $ports | uniq | sortAlpha | join "," }}
{{- end }}

{{/*
The gateway's application.yaml. Built as a dict and rendered with toYaml, so every value is quoted
correctly whatever it contains. Host passwords are ${ENV} references only.
*/}}
{{/* The Secret holding the HTTPS certificate and key (tls.crt, tls.key). */}}
{{- define "guestops-gateway.tlsSecretName" -}}
{{- if .Values.tls.secretName }}{{ .Values.tls.secretName }}
{{- else if .Values.tls.certManager.enabled }}{{ printf "%s-tls" (include "guestops-gateway.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- else }}{{ fail "tls.enabled needs tls.secretName (a kubernetes.io/tls Secret) or tls.certManager.enabled" }}
{{- end }}
{{- end }}

{{/* The callers' port: https while tls.enabled, http otherwise (the container port's and the Service port's name). */}}
{{- define "guestops-gateway.callersPortName" -}}
{{- if .Values.tls.enabled }}https{{ else }}http{{ end }}
{{- end }}

{{/* The Service's port for callers. */}}
{{- define "guestops-gateway.servicePort" -}}
{{- if .Values.tls.enabled }}{{ .Values.service.httpsPort }}{{ else }}{{ .Values.service.port }}{{ end }}
{{- end }}

{{- define "guestops-gateway.applicationConfig" -}}
{{- $root := . }}
{{- if dig "gateway" "hosts" nil .Values.extraConfig }}
{{- fail "extraConfig.gateway.hosts is not allowed: configure hosts under gateway.hosts (their passwords come from Secrets)" }}
{{- end }}
{{- $hosts := dict }}
{{- range $name, $host := .Values.gateway.hosts }}
{{- $out := dict "type" $host.type }}
{{- if has $host.type (list "vim25" "vapi") }}
{{- if not $host.url }}{{ fail (printf "gateway.hosts.%s: a %s host needs url" $name $host.type) }}{{ end }}
{{- if not $host.username }}{{ fail (printf "gateway.hosts.%s: a %s host needs username" $name $host.type) }}{{ end }}
{{- if not (or $host.password $host.passwordSecretRef) }}{{ fail (printf "gateway.hosts.%s: a %s host needs passwordSecretRef (an existing Secret) or password" $name $host.type) }}{{ end }}
{{- end }}
{{- with $host.url }}{{ $_ := set $out "url" . }}{{ end }}
{{- with $host.username }}{{ $_ := set $out "username" . }}{{ end }}
{{- if or $host.password $host.passwordSecretRef }}
{{- $_ := set $out "password" (printf "${%s}" (include "guestops-gateway.hostPasswordEnv" $name)) }}
{{- end }}
{{- with $host.tlsConfigurationName }}
{{- if not (hasKey $root.Values.trustStores .) }}{{ fail (printf "gateway.hosts.%s.tlsConfigurationName %q is not an entry of trustStores" $name .) }}{{ end }}
{{- $_ := set $out "tls-configuration-name" . }}
{{- end }}
{{- with $host.inventory }}{{ $_ := set $out "inventory" . }}{{ end }}
{{- with $host.connectTimeout }}{{ $_ := set $out "connect-timeout" . }}{{ end }}
{{- with $host.maxPoolSize }}{{ $_ := set $out "max-pool-size" . }}{{ end }}
{{- with $host.maxResponseSize }}{{ $_ := set $out "max-response-size" . }}{{ end }}
{{- if hasKey $host "discoverable" }}{{ $_ := set $out "discoverable" $host.discoverable }}{{ end }}
{{- with $host.resilience }}{{ $_ := set $out "resilience" (deepCopy .) }}{{ end }}
{{- $_ := set $hosts $name $out }}
{{- end }}
{{- $gateway := dict }}
{{- if $hosts }}{{ $_ := set $gateway "hosts" $hosts }}{{ end }}
{{- with .Values.gateway.vms }}
{{- range $vm, $host := . }}
{{- if not (hasKey $hosts $host) }}{{ fail (printf "gateway.vms.%s names host %q, which is not under gateway.hosts" $vm $host) }}{{ end }}
{{- end }}
{{- $_ := set $gateway "vms" (deepCopy .) }}
{{- end }}
{{- range $section := list "discovery" "resilience" "auth" }}
{{- with (get $root.Values.gateway $section) }}{{ $_ := set $gateway $section (deepCopy .) }}{{ end }}
{{- end }}
{{- $tls := dict }}
{{- range $name, $store := .Values.trustStores }}
{{- $certs := printf "/deployments/tls/%s/%s" $name ($store.key | default "ca.crt") }}
{{- $_ := set $tls $name (dict "trust-store" (dict "pem" (dict "certs" $certs))) }}
{{- end }}
{{- $http := dict "port" (int .Values.containerPort) }}
{{- if .Values.tls.clientAuth.enabled }}
{{- if not .Values.tls.enabled }}{{ fail "tls.clientAuth.enabled needs tls.enabled (client certificates come with HTTPS)" }}{{ end }}
{{- if not (or .Values.tls.clientAuth.caConfigMap .Values.tls.clientAuth.caSecret) }}{{ fail "tls.clientAuth.enabled needs tls.clientAuth.caConfigMap or tls.clientAuth.caSecret (the callers' CA)" }}{{ end }}
{{- $auth := deepCopy (get $gateway "auth" | default dict) }}
{{- $_ := set $auth "client-certificate-required" true }}
{{- $_ := set $gateway "auth" $auth }}
{{- end }}
{{- if .Values.tls.enabled }}
{{- if hasKey .Values.trustStores "https" }}{{ fail "trustStores.https is reserved for the HTTPS server's TLS configuration (tls.enabled): rename that trust store" }}{{ end }}
{{- $_ := include "guestops-gateway.tlsSecretName" . }}
{{- $server := dict "key-store" (dict "pem" (dict "server" (dict "cert" "/deployments/tls-server/tls.crt" "key" "/deployments/tls-server/tls.key"))) }}
{{- with .Values.tls.reloadPeriod }}{{ $_ := set $server "reload-period" . }}{{ end }}
{{- if .Values.tls.clientAuth.enabled }}
{{- $_ := set $server "trust-store" (dict "pem" (dict "certs" (printf "/deployments/tls-client-ca/%s" (.Values.tls.clientAuth.key | default "ca.crt")))) }}
{{- end }}
{{- $_ := set $tls "https" $server }}
{{- $_ := set $http "ssl-port" (int .Values.tls.httpsPort) }}
{{- $_ := set $http "insecure-requests" "disabled" }}
{{- $_ := set $http "tls-configuration-name" "https" }}
{{- end }}
{{- $quarkus := dict
      "http" $http
      "management" (dict "port" (int .Values.managementPort) "host" "0.0.0.0")
      "shutdown" (dict
        "delay" (printf "%ds" (int .Values.shutdown.delaySeconds))
        "timeout" (printf "%ds" (int .Values.shutdown.timeoutSeconds))) }}
{{- if $tls }}{{ $_ := set $quarkus "tls" $tls }}{{ end }}
{{- $config := dict "quarkus" $quarkus }}
{{- if $gateway }}{{ $_ := set $config "gateway" $gateway }}{{ end }}
{{- $config = mergeOverwrite $config (deepCopy .Values.extraConfig) }}
{{- toYaml $config }}
{{- end }}

{{/*
The heap's floor and young generation (-Xms, -Xmn; values.yaml, javaMinHeapMiB). A young generation
without old generation room beside it turns ParallelGC's young collections into full ones, and a floor
near the maximum leaves nothing for bursts: both refused here.
*/}}
{{- define "guestops-gateway.heapSizeOptions" -}}
{{- $floor := int .Values.javaMinHeapMiB }}
{{- $young := int .Values.javaYoungGenMiB }}
{{- if and (gt $young 0) (lt $floor (add $young 32)) }}
{{- fail (printf "javaMinHeapMiB (%d) must be at least javaYoungGenMiB + 32 (%d): the old generation needs room beside the young one" $floor (add $young 32)) }}
{{- end }}
{{- $limit := toString (dig "limits" "memory" "" .Values.resources) }}
{{- $mib := 0 }}
{{- if regexMatch "^[0-9]+Mi$" $limit }}{{ $mib = int (trimSuffix "Mi" $limit) }}{{ end }}
{{- if regexMatch "^[0-9]+Gi$" $limit }}{{ $mib = mul (int (trimSuffix "Gi" $limit)) 1024 }}{{ end }}
{{- $maximum := div (mul $mib (int .Values.javaMaxMemRatio)) 100 }}
{{- if and (gt $floor 0) (gt $mib 0) (gt (mul $floor 2) $maximum) }}
{{- fail (printf "javaMinHeapMiB (%d) must be at most half the heap's maximum (%d MiB: javaMaxMemRatio %v %% of %s)" $floor $maximum .Values.javaMaxMemRatio $limit) }}
{{- end }}
{{- list (ternary (printf "-Xms%dm" $floor) "" (gt $floor 0)) (ternary (printf "-Xmn%dm" $young) "" (gt $young 0)) | compact | join " " }}
{{- end }}
