#!/usr/bin/env python3
"""The static half of Tests/deploy/run.sh: reads the deployment files and
checks that they parse, agree with each other and with the sidecar's
settings, and keep the properties they promise (hardening, probes, drain).

    python3 Tests/deploy/check_deploy.py static              # every check below; exit 1 on a problem
    python3 Tests/deploy/check_deploy.py nginx-copy OUT      # nginx.conf with loopback upstreams, for nginx -t
    python3 Tests/deploy/check_deploy.py healthcheck         # the Containerfile's HEALTHCHECK command, NUL-separated

Needs PyYAML. Run from the repository root.
"""
import ipaddress
import json
import os
import re
import sys

import yaml

DEPLOY = "Deploy"
problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


# --- the sidecar's own facts ------------------------------------------------------------

SETTING_SWIFT = "Sources/DynAPICore/Config/Setting.swift"


def settings():
    """Every environment variable `dynapi serve` reads, with its default, from
    `Setting.all` in Setting.swift: the declarations the server reads, and those
    `dynapi settings` prints as the table of docs/settings.md. Read from the source
    rather than the page, so a setting just added is checked before the page is
    regenerated (a Swift test keeps the page in step)."""
    text = read(SETTING_SWIFT)
    start = text.find("static let all: [Setting] = [")
    end = text.find("\n    ]\n", start)
    if start < 0 or end < 0:
        problem(SETTING_SWIFT, "no `static let all: [Setting] = [ ... ]` found: the check needs updating")
        return {}
    block = text[start:end]
    # Each entry: text/integer/milliseconds(NAME, default, ...) or Setting(NAME, default or nil, ...).
    rows = re.findall(r'\b(?:text|integer|milliseconds|Setting)\(\s*"([A-Z][A-Z0-9_]*)",\s*(nil|"(?:[^"\\]|\\.)*"|[^,]+?)\s*,', block)
    entries = re.findall(r"(?m)^ {8}(\w+)\(", block)
    if not rows or len(rows) != len(entries):
        problem(SETTING_SWIFT, f"read {len(rows)} settings from {len(entries)} entries of Setting.all: the check needs updating")
    result = {}
    for name, default in rows:
        if default == "nil":
            result[name] = None
        elif default.startswith('"'):
            result[name] = default[1:-1]
        elif re.fullmatch(r"[\d_\s*+()]+|[\d_\s]+<<[\d_\s]+", default):
            result[name] = str(eval(default.replace("_", ""), {"__builtins__": {}}))  # literal arithmetic only
        else:
            problem(SETTING_SWIFT, f"{name}: cannot read the default {default!r}: the check needs updating")
            result[name] = ""
    return result


SETTINGS = settings()
# They hold a password or the key: the Secret, never the ConfigMap.
SECRETS = {"DATABASE_URL", "DYNAPI_READ_DATABASE_URL", "DYNAPI_JWT_SECRET"}


def setting_ms(name, configured=None):
    """A DYNAPI_*_TIMEOUT duration in milliseconds as DynAPI reads it: 500ms, 5s, 2min,
    or a bare number of milliseconds; the configured value, else DynAPI's default."""
    text = str(configured if configured not in (None, "") else SETTINGS.get(name) or "0").strip().lower()
    match = re.fullmatch(r"(\d+)\s*(ms|s|min|)", text)
    return int(match.group(1)) * {"": 1, "ms": 1, "s": 1000, "min": 60000}[match.group(2)] if match else None


def shutdown_seconds(configured=None):
    """DYNAPI_SHUTDOWN_TIMEOUT (whole seconds): how long the drain may take."""
    value = configured if configured not in (None, "") else SETTINGS.get("DYNAPI_SHUTDOWN_TIMEOUT")
    return int(value) if value is not None and str(value).isdigit() else 10


def size_bytes(text):
    """nginx sizes: 10m, 512k, 1g or bytes."""
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text)
    if not match:
        return None
    factor = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}[match.group(2).lower()]
    return int(match.group(1)) * factor


def seconds(text):
    """nginx and systemd times: 30, 30s, 5m, 1h, 1min, 500ms."""
    total = 0.0
    units = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "": 1}
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", str(text).strip())
    if not parts:
        return None
    for number, unit in parts:
        if unit not in units:
            return None
        total += float(number) * units[unit]
    return total


def conninfo(text):
    """A libpq connection string or URI as {"hosts": [(host, port)], "user", "dbname",
    "params": {keyword: value}}; compose's ${...} stand in as `VAR`. None for an empty one."""
    text = re.sub(r"\$\{(\w+)[^}]*\}", r"\1", str(text or "")).strip()
    if not text:
        return None
    uri = re.fullmatch(r"postgres(?:ql)?://(?:([^@/]*)@)?([^/?]*)(?:/([^?]*))?(?:\?(.*))?", text)
    if uri:
        userinfo, hostlist, dbname, query = uri.groups()
        params = dict(pair.split("=", 1) if "=" in pair else (pair, "") for pair in (query or "").split("&") if pair)
        hosts = []
        for item in hostlist.split(","):
            host, _, port = item.rpartition(":") if re.search(r":\d*$", item) else (item, "", "")
            hosts.append((host, port or "5432"))
        return {"hosts": hosts, "user": (userinfo or "").split(":")[0] or None,
                "dbname": dbname or None, "params": params}
    params = dict(re.findall(r"(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)", text))
    params = {k: v.strip("'") for k, v in params.items()}
    names = params.pop("host", "").split(",")
    ports = params.pop("port", "5432").split(",")
    ports = ports * len(names) if len(ports) == 1 else ports
    return {"hosts": list(zip(names, ports)), "user": params.pop("user", None),
            "dbname": params.pop("dbname", None), "params": params}


# What target_session_attrs each URL wants: the primary's finds the read-write
# server among its hosts (and so follows a fail-over); the replicas' prefers a
# standby (falling back to the primary) or takes nothing else.
PRIMARY_ATTRS = {"read-write", "primary"}
REPLICA_ATTRS = {"prefer-standby", "read-only", "standby"}


def check_database_urls(where, primary, replicas):
    """DATABASE_URL and DYNAPI_READ_DATABASE_URL as the topology wants them: a primary URL
    of several hosts says read-write, the replicas' URL says standby, both name one
    database as one user, and the read URL does not start at the primary's host."""
    main, reads = conninfo(primary), conninfo(replicas)
    if main and len(main["hosts"]) > 1 and main["params"].get("target_session_attrs") not in PRIMARY_ATTRS:
        problem(where, "DATABASE_URL lists several hosts without target_session_attrs=read-write: "
                "it may connect to a standby, where writes fail")
    if not reads:
        return main, reads
    attrs = reads["params"].get("target_session_attrs")
    if attrs not in REPLICA_ATTRS:
        problem(where, f"DYNAPI_READ_DATABASE_URL has target_session_attrs={attrs}: "
                f"want one of {sorted(REPLICA_ATTRS)} (else libpq takes the first host that answers, primary or not)")
    if main:
        if reads["hosts"][:1] == main["hosts"][:1]:
            problem(where, f"DYNAPI_READ_DATABASE_URL starts at the primary's host {main['hosts'][0][0]}: list the replicas first")
        for key in ("dbname", "user"):
            if reads[key] != main[key]:
                problem(where, f"DYNAPI_READ_DATABASE_URL's {key} {reads[key]} is not DATABASE_URL's {main[key]}")
    return main, reads


# --- YAML -------------------------------------------------------------------------------

def yaml_files():
    found = []
    for root, dirs, files in os.walk(DEPLOY):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [os.path.join(root, f) for f in files if f.endswith((".yaml", ".yml"))]
    return sorted(found)


LOADED = {}


def load_all(path):
    """The documents of a YAML file (multi-document too); a parse error is reported once."""
    if path not in LOADED:
        try:
            LOADED[path] = [doc for doc in yaml.safe_load_all(read(path)) if doc is not None]
        except yaml.YAMLError as error:
            problem(path, f"does not parse as YAML: {error}")
            LOADED[path] = []
    return LOADED[path]


# --- Kubernetes -------------------------------------------------------------------------

def pod_containers(doc):
    spec = doc.get("spec", {})
    if doc.get("kind") in ("Deployment", "Job", "StatefulSet", "DaemonSet"):
        return spec.get("template", {}).get("spec", {})
    return None


def check_k8s():
    folder = os.path.join(DEPLOY, "k8s")
    objects = {}
    for path in sorted(os.listdir(folder)):
        if not path.endswith((".yaml", ".yml")):
            continue
        full = os.path.join(folder, path)
        for doc in load_all(full):
            if not isinstance(doc, dict):
                problem(full, "a document is not a mapping")
                continue
            if doc.get("kind") == "Kustomization":
                check_kustomization(full, doc, folder)
                continue
            for key in ("apiVersion", "kind"):
                if not doc.get(key):
                    problem(full, f"a document has no {key}")
            name = (doc.get("metadata") or {}).get("name")
            if not name:
                problem(full, f"{doc.get('kind')} has no metadata.name")
            elif doc.get("kind"):
                objects.setdefault(doc.get("kind"), []).append((full, doc))

    def one(kind, name=None):
        found = [d for _, d in objects.get(kind, []) if name is None or d["metadata"]["name"] == name]
        if not found:
            problem(folder, f"no {kind}{' ' + name if name else ''}")
            return None
        return found[0]

    config = one("ConfigMap") or {}
    secret = one("Secret") or {}
    deployment = one("Deployment")
    service = one("Service")
    hpa = one("HorizontalPodAutoscaler")
    job = one("Job")

    config_keys = set((config.get("data") or {}).keys())
    secret_keys = set((secret.get("stringData") or {}).keys()) | set((secret.get("data") or {}).keys())
    for name in SETTINGS:
        if name not in config_keys | secret_keys:
            problem("k8s", f"setting {name} is in neither the ConfigMap nor the Secret")
    for name in (config_keys | secret_keys) - set(SETTINGS):
        problem("k8s", f"{name} is not a setting DynAPI reads ({SETTING_SWIFT})")
    for name in SECRETS:
        if name in config_keys:
            problem("k8s configmap", f"{name} is a secret: it belongs in the Secret")
        if name not in secret_keys:
            problem("k8s secret", f"no {name}")
    secret_data = secret.get("stringData") or {}
    main, reads = check_database_urls("k8s secret", secret_data.get("DATABASE_URL"), secret_data.get("DYNAPI_READ_DATABASE_URL"))
    if main and reads and main["params"].get("target_session_attrs") not in PRIMARY_ATTRS:
        problem("k8s secret", "DATABASE_URL lacks target_session_attrs=read-write: with replicas about, a connection "
                "that reaches a demoted primary must fail rather than be kept")
    jwt = str((secret.get("stringData") or {}).get("DYNAPI_JWT_SECRET", ""))
    if len(jwt.encode()) >= 32:
        problem("k8s secret", "DYNAPI_JWT_SECRET is a usable key: a committed placeholder must be refused (< 32 bytes)")
    port = int((config.get("data") or {}).get("DYNAPI_PORT", SETTINGS.get("DYNAPI_PORT") or 8000))
    if (config.get("data") or {}).get("DYNAPI_HOST") not in ("0.0.0.0", "::"):
        problem("k8s configmap", "DYNAPI_HOST must be 0.0.0.0 (or ::) in a pod: the default 127.0.0.1 cannot be probed")

    for kind, doc in ((k, d) for k, docs in objects.items() for _, d in docs):
        pod = pod_containers(doc)
        if pod is None:
            continue
        where = f"k8s {kind} {doc['metadata']['name']}"
        # Service links name variables after Services: a Service `dynapi` injects DYNAPI_PORT=tcp://...
        clashing = [d["metadata"]["name"] for _, d in objects.get("Service", [])
                    if re.sub(r"\W", "_", d["metadata"]["name"].upper()) + "_PORT" in SETTINGS
                    or d["metadata"]["name"].upper().replace("-", "_") + "_HOST" in SETTINGS]
        if clashing and pod.get("enableServiceLinks") is not False:
            problem(where, f"enableServiceLinks is not false: Service {clashing[0]} would inject "
                    f"{clashing[0].upper()}_PORT=tcp://..., which DynAPI reads as a setting")
        pod_security = pod.get("securityContext") or {}
        if not pod_security.get("runAsNonRoot"):
            problem(where, "no securityContext.runAsNonRoot: true")
        if (pod_security.get("seccompProfile") or {}).get("type") not in ("RuntimeDefault", "Localhost"):
            problem(where, "no seccompProfile RuntimeDefault")
        for container in pod.get("containers", []):
            security = container.get("securityContext") or {}
            if security.get("readOnlyRootFilesystem") is not True:
                problem(where, f"container {container['name']}: readOnlyRootFilesystem is not true")
            if security.get("allowPrivilegeEscalation") is not False:
                problem(where, f"container {container['name']}: allowPrivilegeEscalation is not false")
            if "ALL" not in ((security.get("capabilities") or {}).get("drop") or []):
                problem(where, f"container {container['name']}: capabilities do not drop ALL")
            resources = container.get("resources") or {}
            if not resources.get("requests") or not (resources.get("limits") or {}).get("memory"):
                problem(where, f"container {container['name']}: no resource requests or memory limit")

    if deployment:
        pod = deployment["spec"]["template"]["spec"]
        labels = deployment["spec"]["template"]["metadata"].get("labels", {})
        selector = deployment["spec"]["selector"].get("matchLabels", {})
        if any(labels.get(k) != v for k, v in selector.items()):
            problem("k8s deployment", "selector does not match the pod labels")
        if deployment["spec"].get("replicas", 1) < 2:
            problem("k8s deployment", "fewer than 2 replicas")
        container = pod["containers"][0]
        if container.get("args", [None])[0] not in ("serve", None):
            problem("k8s deployment", "the container does not run `serve`")
        ports = {p.get("name"): p.get("containerPort") for p in container.get("ports", [])}
        if port not in ports.values():
            problem("k8s deployment", f"no containerPort {port} (DYNAPI_PORT)")
        names = {name for name in ports if name}

        def probe_port(probe):
            action = probe.get("httpGet") or probe.get("tcpSocket") or {}
            value = action.get("port")
            return ports.get(value) if value in names else value

        readiness = container.get("readinessProbe")
        liveness = container.get("livenessProbe")
        if not readiness or (readiness.get("httpGet") or {}).get("path") != "/api/health/":
            problem("k8s deployment", "the readiness probe is not GET /api/health/")
        elif probe_port(readiness) != port:
            problem("k8s deployment", "the readiness probe's port is not DYNAPI_PORT")
        if not liveness:
            problem("k8s deployment", "no liveness probe")
        else:
            if probe_port(liveness) != port:
                problem("k8s deployment", "the liveness probe's port is not DYNAPI_PORT")
            patience = liveness.get("periodSeconds", 10) * liveness.get("failureThreshold", 3)
            path = (liveness.get("httpGet") or {}).get("path", "")
            if path.startswith("/api/health") and "/live" not in path and patience < 300:
                problem("k8s deployment", "liveness on /api/health/ (503 while the database is down) with less "
                        f"than 5 minutes of patience ({patience} s) restarts every pod in a database outage")
        grace = pod.get("terminationGracePeriodSeconds", 30)
        pre_stop = ((container.get("lifecycle") or {}).get("preStop") or {})
        sleep = 0
        command = (pre_stop.get("exec") or {}).get("command") or []
        if command[:1] == ["/bin/sleep"] and len(command) == 2:
            sleep = float(command[1])
        elif "sleep" in pre_stop:
            sleep = float(pre_stop["sleep"].get("seconds", 0))
        drain = shutdown_seconds((config.get("data") or {}).get("DYNAPI_SHUTDOWN_TIMEOUT"))
        if grace < sleep + drain + 5:
            problem("k8s deployment", f"terminationGracePeriodSeconds {grace} does not cover preStop ({sleep:g} s) "
                    f"+ DYNAPI_SHUTDOWN_TIMEOUT ({drain} s) + 5 s")
        env_from = {ref.get("configMapRef", ref.get("secretRef", {})).get("name") for ref in container.get("envFrom", [])}
        for wanted in (config.get("metadata", {}).get("name"), secret.get("metadata", {}).get("name")):
            if wanted not in env_from:
                problem("k8s deployment", f"envFrom does not name {wanted}")
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/port") not in (None, str(port)):
            problem("k8s deployment", "prometheus.io/port is not DYNAPI_PORT")
        if service:
            chosen = service["spec"].get("selector", {})
            if not chosen or any(labels.get(k) != v for k, v in chosen.items()):
                problem("k8s service", "selector does not match the Deployment's pods")
            targets = {p.get("targetPort") for p in service["spec"].get("ports", [])}
            if not targets & ({port} | names):
                problem("k8s service", "no port targets the sidecar's port")
        if hpa:
            target = hpa["spec"].get("scaleTargetRef", {})
            if (target.get("kind"), target.get("name")) != ("Deployment", deployment["metadata"]["name"]):
                problem("k8s hpa", "scaleTargetRef is not the Deployment")
            if hpa["apiVersion"] != "autoscaling/v2":
                problem("k8s hpa", "not autoscaling/v2")
            if not any((m.get("resource") or {}).get("name") == "cpu" for m in hpa["spec"].get("metrics", [])):
                problem("k8s hpa", "no CPU metric")
            if hpa["spec"].get("minReplicas", 1) < 2:
                problem("k8s hpa", "minReplicas below 2")
        for pdb in (d for _, d in objects.get("PodDisruptionBudget", [])):
            chosen = pdb["spec"].get("selector", {}).get("matchLabels", {})
            if any(labels.get(k) != v for k, v in chosen.items()):
                problem("k8s pdb", "selector does not match the Deployment's pods")
        if job:
            job_container = job["spec"]["template"]["spec"]["containers"][0]
            if job_container.get("args") != ["install"]:
                problem("k8s job", "the install job does not run `install`")
            if job_container.get("image") != container.get("image"):
                problem("k8s job", "the install job's image is not the Deployment's")
            if job["spec"]["template"]["spec"].get("restartPolicy") not in ("Never", "OnFailure"):
                problem("k8s job", "restartPolicy must be Never or OnFailure")


def check_kustomization(path, doc, folder):
    for resource in doc.get("resources", []):
        if not os.path.exists(os.path.join(folder, resource)):
            problem(path, f"resource {resource} does not exist")


# --- Compose and nginx ------------------------------------------------------------------

def nginx_upstreams(text):
    """{upstream name: [(host, port)]} of an nginx configuration."""
    result = {}
    for name, body in re.findall(r"upstream\s+(\S+)\s*\{(.*?)\}", strip_comments(text), re.S):
        result[name] = re.findall(r"^\s*server\s+([^\s:;]+):(\d+)", body, re.M)
    return result


def strip_comments(text):
    return re.sub(r"(?m)#.*$", "", text)


def nginx_locations(text):
    """{location argument: body} for the flat locations of a server block."""
    text = strip_comments(text)
    locations = {}
    for match in re.finditer(r"location\s+([^{]+?)\s*\{", text):
        depth, index = 1, match.end()
        while depth and index < len(text):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        locations[match.group(1).strip()] = text[match.end():index - 1]
    return locations


def server_level(text):
    """The server block's own directives (its locations cut out)."""
    text = strip_comments(text)
    start = re.search(r"\bserver\s*\{", text)
    body = text[start.end():] if start else ""
    return re.sub(r"location\s+[^{]+\{(?:[^{}]|\{[^{}]*\})*\}", "", body)


def directive(text, name):
    return re.findall(rf"(?m)^\s*{name}\s+([^;]+);", text)


def check_nginx(path, sidecars, port):
    text = read(path)
    upstreams = nginx_upstreams(text)
    if not upstreams:
        problem(path, "no upstream block")
        return
    for name, body in re.findall(r"upstream\s+(\S+)\s*\{(.*?)\}", strip_comments(text), re.S):
        if not re.search(r"(?m)^\s*zone\s", body):
            problem(path, f"upstream {name} has no zone: each worker balances on its own counts")
    for name, servers in upstreams.items():
        if sorted(h for h, _ in servers) != sorted(sidecars):
            problem(path, f"upstream {name}: servers {sorted(h for h, _ in servers)} are not the compose sidecars {sorted(sidecars)}")
    for host, server_port in (server for servers in upstreams.values() for server in servers):
        if int(server_port) != port:
            problem(path, f"upstream {host}:{server_port} is not DYNAPI_PORT {port}")
    body = directive(text, "client_max_body_size")
    limit = int(SETTINGS.get("DYNAPI_MAX_BODY") or 10485760)
    if not body or size_bytes(body[-1].strip()) != limit:
        problem(path, f"client_max_body_size is not DYNAPI_MAX_BODY ({limit} bytes)")
    locations = nginx_locations(text)
    server = server_level(text)
    read_timeout = directive(server, "proxy_read_timeout")
    longest = (setting_ms("DYNAPI_STATEMENT_TIMEOUT") or 0) + (setting_ms("DYNAPI_POOL_TIMEOUT") or 0)
    if "DYNAPI_STATEMENT_TIMEOUT" in SETTINGS and (not read_timeout or (seconds(read_timeout[-1]) or 0) * 1000 <= longest):
        problem(path, f"proxy_read_timeout is not above DYNAPI_STATEMENT_TIMEOUT + DYNAPI_POOL_TIMEOUT ({longest} ms): "
                "slow queries would end as nginx's 504 instead of DynAPI's")
    for prefix in ("/api/", "/admin/", "/ws/"):
        if prefix not in locations:
            problem(path, f"no location {prefix}")
        elif "proxy_pass" not in locations[prefix]:
            problem(path, f"location {prefix} does not proxy")
    metrics = locations.get("= /metrics", locations.get("/metrics"))
    if metrics is None:
        problem(path, "no location for /metrics")
    elif not re.search(r"\b(deny|return\s+40[34])\b", metrics):
        problem(path, "/metrics is not restricted")
    else:
        check_metrics_ranges(path, text)
    sockets = locations.get("/ws/", "")
    for header, value in (("Upgrade", "$http_upgrade"), ("Connection", "$connection_upgrade")):
        if not re.search(rf"proxy_set_header\s+{header}\s+\{value}\s*;", sockets):
            problem(path, f"/ws/ does not set {header} {value}")
    if "1.1" not in " ".join(directive(sockets, "proxy_http_version") or directive(server, "proxy_http_version")):
        problem(path, "/ws/ is not proxied with HTTP/1.1")
    # DynAPI upgrades only the first request of a connection (a reused one gets a 307).
    target = re.search(r"proxy_pass\s+https?://([\w.-]+)", sockets)
    blocks = dict(re.findall(r"upstream\s+(\S+)\s*\{(.*?)\}", strip_comments(text), re.S))
    if target and target.group(1) in blocks and re.search(r"(?m)^\s*keepalive\s+\d", blocks[target.group(1)]):
        problem(path, f"/ws/ goes to upstream {target.group(1)}, which keeps connections alive: "
                "an upgrade on a reused connection gets a 307")
    read_timeout = directive(sockets, "proxy_read_timeout")
    ping = int(SETTINGS.get("DYNAPI_WS_PING") or 30)
    if not read_timeout or (seconds(read_timeout[-1]) or 0) < 4 * ping:
        problem(path, f"/ws/ proxy_read_timeout is not long (at least 4 x DYNAPI_WS_PING = {4 * ping} s)")
    # proxy_set_header is inherited only by locations that set none of their own.
    for name, body in locations.items():
        scope = body if "proxy_set_header" in body else server
        if "proxy_pass" not in body:
            continue
        for header in ("X-Forwarded-For", "X-Forwarded-Proto", "Host"):
            if not re.search(rf"proxy_set_header\s+{header}\s", scope):
                problem(path, f"location {name} does not pass {header}")


def check_metrics_ranges(path, text):
    geo = re.search(r"geo\s+\$\w+\s*\{(.*?)\}", strip_comments(text), re.S)
    if not geo:
        return
    for network, value in re.findall(r"^\s*([0-9a-fA-F.:]+/\d+)\s+(\d)\s*;", geo.group(1), re.M):
        net = ipaddress.ip_network(network)
        if value == "1" and not (net.is_private or net.is_loopback):
            problem(path, f"/metrics allows {network}, which is not a private network")


def nginx_copy(out):
    """nginx.conf with every upstream host on a loopback address of its own, listening on loopback."""
    text = read(os.path.join(DEPLOY, "compose", "nginx.conf"))
    hosts = {}

    def server(match):
        host = match.group(2)
        try:
            ipaddress.ip_address(host)
            return match.group(0)
        except ValueError:
            hosts.setdefault(host, f"127.0.0.{len(hosts) + 2}")
            return f"{match.group(1)}{hosts[host]}:{match.group(3)}"

    text = re.sub(r"(?m)^(\s*server\s+)([^\s:;]+):(\d+)", server, text)
    with open(out, "w", encoding="utf-8") as handle:
        handle.write(text)


def check_compose():
    path = os.path.join(DEPLOY, "compose", "compose.yaml")
    docs = load_all(path)
    if len(docs) != 1:
        return
    compose = docs[0]
    services = compose.get("services") or {}
    missing = [n for n in ("postgres", "install", "dynapi-1", "dynapi-2", "nginx") if n not in services]
    for name in missing:
        problem(path, f"no service {name}")
    if missing:
        return
    postgres, install, nginx = services["postgres"], services["install"], services["nginx"]
    if not str(postgres.get("image", "")).startswith("postgres:15"):
        problem(path, "postgres is not PostgreSQL 15")
    if not postgres.get("healthcheck"):
        problem(path, "postgres has no healthcheck")
    if not any(str(v).split(":")[1:2] == ["/var/lib/postgresql/data"] for v in postgres.get("volumes", [])):
        problem(path, "postgres keeps its data in no volume")
    if (install.get("depends_on") or {}).get("postgres", {}).get("condition") != "service_healthy":
        problem(path, "install does not wait for postgres to be healthy")
    if install.get("command") not in (["install"], "install"):
        problem(path, "install does not run `dynapi install`")
    if install.get("restart") not in ("no", None):
        problem(path, "install must not restart")
    sidecars = [n for n in services if re.fullmatch(r"dynapi-\d+", n)]
    environments = {}
    for name in sidecars:
        service = services[name]
        condition = (service.get("depends_on") or {}).get("install", {}).get("condition")
        if condition != "service_completed_successfully":
            problem(path, f"{name} does not wait for install to complete successfully")
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.split("=", 1) for item in env)
        environments[name] = env
        for key in env:
            if key not in SETTINGS:
                problem(path, f"{name}: {key} is not a setting DynAPI reads")
        if env.get("DYNAPI_HOST") not in ("0.0.0.0", "::"):
            problem(path, f"{name}: DYNAPI_HOST is not 0.0.0.0")
        drain = shutdown_seconds(env.get("DYNAPI_SHUTDOWN_TIMEOUT"))
        if (seconds(service.get("stop_grace_period", "10s")) or 0) < drain + 5:
            problem(path, f"{name}: stop_grace_period does not cover DYNAPI_SHUTDOWN_TIMEOUT ({drain} s) + 5 s")
        if not service.get("healthcheck") and not service.get("build"):
            problem(path, f"{name}: no healthcheck")
        if (nginx.get("depends_on") or {}).get(name) is None:
            problem(path, f"nginx does not depend on {name}")
        build = service.get("build") or {}
        if build:
            context = os.path.normpath(os.path.join(DEPEND_DIR, build.get("context", ".")))
            if not os.path.exists(os.path.join(context, build.get("dockerfile", "Dockerfile"))):
                problem(path, f"{name}: build file {build.get('dockerfile')} not found in {context}")
    for key in ("DYNAPI_JWT_SECRET",):
        if len({str(env.get(key)) for env in environments.values()}) != 1:
            problem(path, f"the sidecars do not share {key}")
    urls = {re.sub(r"[?&]application_name=[^&]*", "", str(env.get("DATABASE_URL"))) for env in environments.values()}
    if len(urls) != 1:
        problem(path, "the sidecars do not share one database")
    if len(sidecars) < 2:
        problem(path, "fewer than two sidecars")
    urls = {re.sub(r"[?&]application_name=[^&]*", "", str(env.get("DYNAPI_READ_DATABASE_URL"))) for env in environments.values()}
    if len(urls) != 1:
        problem(path, "the sidecars do not share one DYNAPI_READ_DATABASE_URL")
    check_compose_replication(path, services, sidecars, environments)
    check_compose_env_example(path)
    ports = {int(env.get("DYNAPI_PORT", 8000)) for env in environments.values()}
    mounts = [str(v) for v in nginx.get("volumes", [])]
    conf = [m.split(":")[0] for m in mounts if ":/etc/nginx/" in m]
    if not conf:
        problem(path, "nginx mounts no configuration")
    for source in conf:
        full = os.path.normpath(os.path.join(DEPEND_DIR, source))
        if not os.path.exists(full):
            problem(path, f"nginx mounts {source}, which does not exist")
        elif len(ports) == 1:
            check_nginx(full, sidecars, ports.pop())


DEPEND_DIR = os.path.join(DEPLOY, "compose")


def compose_default(value, fallback):
    """A compose value as it runs by default: ${VAR:-default} is its default, a literal itself."""
    text = str(value if value is not None else fallback)
    match = re.fullmatch(r"\$\{\w+:?-([^}]*)\}", text)
    return match.group(1) if match else text


def server_setting(service, name):
    """A `-c name=value` (or name=value) from a PostgreSQL service's command or entrypoint script."""
    text = " ".join(str(part) for key in ("entrypoint", "command")
                    for part in (service.get(key) if isinstance(service.get(key), list) else [service.get(key) or ""]))
    found = re.findall(rf"\b{name}=(\w+)", text)
    return found[-1] if found else None


def check_compose_replication(path, services, sidecars, environments):
    """The primary + streaming replica topology: the sidecars' DATABASE_URL finds the
    read-write server among both, their DYNAPI_READ_DATABASE_URL starts at the replica;
    the replica copies the primary (pg_basebackup -R -X stream) as a role the primary's
    init script makes, waits for it, keeps its own volume and at least its
    max_connections; and that is enough for every sidecar's pools on one server."""
    postgres = {name: service for name, service in services.items()
                if str(service.get("image", "")).startswith("postgres:")}

    def script(service):
        parts = [service.get(key) for key in ("entrypoint", "command")]
        return " ".join(str(p) for part in parts for p in (part if isinstance(part, list) else [part or ""]))

    replicas = {name: service for name, service in postgres.items() if "pg_basebackup" in script(service)}
    if not replicas:
        problem(path, "no streaming replica (a postgres service that runs pg_basebackup)")
    for name, env in environments.items():
        main, reads = check_database_urls(f"{path}: {name}", env.get("DATABASE_URL"), env.get("DYNAPI_READ_DATABASE_URL"))
        if not main or not reads:
            problem(path, f"{name}: {'DATABASE_URL' if not main else 'DYNAPI_READ_DATABASE_URL'} is not set")
            continue
        for url, parsed in (("DATABASE_URL", main), ("DYNAPI_READ_DATABASE_URL", reads)):
            for host, _ in parsed["hosts"]:
                if host not in postgres:
                    problem(path, f"{name}: {url} names {host}, which is no postgres service")
        if main["hosts"][0][0] in replicas:
            problem(path, f"{name}: DATABASE_URL starts at the replica {main['hosts'][0][0]}")
        if {h for h, _ in main["hosts"]} != set(postgres):
            problem(path, f"{name}: DATABASE_URL does not list every PostgreSQL service ({sorted(postgres)}): "
                    "it cannot follow a fail-over to the one it leaves out")
        if main["params"].get("target_session_attrs") not in PRIMARY_ATTRS:
            problem(path, f"{name}: DATABASE_URL does not say target_session_attrs=read-write")
        first = reads["hosts"][0][0]
        if first not in replicas:
            problem(path, f"{name}: DYNAPI_READ_DATABASE_URL starts at {first}, not at the replica ({sorted(replicas)})")
        elif first not in ((services[name].get("depends_on") or {})):
            problem(path, f"{name} does not wait for {first}, its replica")
    install_url = conninfo((services["install"].get("environment") or {}).get("DATABASE_URL"))
    if install_url and len(install_url["hosts"]) > 1 and install_url["params"].get("target_session_attrs") not in PRIMARY_ATTRS:
        problem(path, "install's DATABASE_URL lists several hosts without target_session_attrs=read-write")

    for name, replica in replicas.items():
        text = script(replica)
        source = re.search(r"pg_basebackup\b[^\n;]*?(?:-h\s*|--host=)(\S+)", text)
        primary_name = source.group(1) if source else None
        primary = postgres.get(primary_name)
        if primary is None:
            problem(path, f"{name}: pg_basebackup copies {primary_name}, which is no postgres service")
            continue
        for flags, what in ((("-R", "--write-recovery-conf"), "-R (a standby, streaming from where the copy ends)"),
                            (("-X stream", "-Xstream", "--wal-method=stream"), "-X stream (the WAL of the copy itself)")):
            if not any(re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", text) for flag in flags):
                problem(path, f"{name}: pg_basebackup without {what}")
        if replica.get("image") != primary.get("image"):
            problem(path, f"{name}: image {replica.get('image')} is not {primary_name}'s {primary.get('image')} "
                    "(a standby needs the same major version)")
        if (replica.get("depends_on") or {}).get(primary_name, {}).get("condition") != "service_healthy":
            problem(path, f"{name} does not wait for {primary_name} to be healthy before copying it")
        if not replica.get("healthcheck"):
            problem(path, f"{name} has no healthcheck")
        volumes = {service: [str(v).split(":")[0] for v in postgres[service].get("volumes", [])
                             if str(v).split(":")[1:2] == ["/var/lib/postgresql/data"]] for service in (name, primary_name)}
        if not volumes[name]:
            problem(path, f"{name} keeps its data in no volume")
        elif volumes[name] == volumes[primary_name]:
            problem(path, f"{name} shares its data volume with {primary_name}")
        # The role it copies and streams as: made by an init script of the primary, with the same password.
        user = re.search(r"pg_basebackup\b[^\n;]*?(?:-U\s*|--username=)(\S+)", text)
        user = user.group(1).strip("\"'") if user else "${PGUSER}"
        variable = re.fullmatch(r"\$\$\{?(\w+)\}?", user)
        replica_env, primary_env = replica.get("environment") or {}, primary.get("environment") or {}
        role = replica_env.get(variable.group(1)) if variable else user
        if role is None:
            problem(path, f"{name}: pg_basebackup's user {user} is not set")
        scripts = [str(v).split(":")[0] for v in primary.get("volumes", []) if ":/docker-entrypoint-initdb.d/" in str(v)]
        init = " ".join(read(os.path.normpath(os.path.join(DEPEND_DIR, s))) for s in scripts
                        if os.path.exists(os.path.normpath(os.path.join(DEPEND_DIR, s))))
        if not re.search(r"\bREPLICATION\b", init) or not re.search(r"(?m)^[^#]*\bhost\s+replication\b", init):
            problem(path, f"{primary_name} mounts no init script that makes a REPLICATION role and lets it in "
                    "(a `host replication` line in pg_hba.conf)")
        elif role and primary_env.get("POSTGRES_REPLICATION_USER", role) != role:
            problem(path, f"{name} copies as {role}, {primary_name} makes {primary_env.get('POSTGRES_REPLICATION_USER')}")
        password = replica_env.get("PGPASSWORD")
        if password is None or password != primary_env.get("POSTGRES_REPLICATION_PASSWORD"):
            problem(path, f"{name}: PGPASSWORD is not the POSTGRES_REPLICATION_PASSWORD {primary_name} gives its role")
        # A hot standby refuses to start with less than its primary's max_connections.
        limits = {service: int(server_setting(postgres[service], "max_connections") or 100) for service in (name, primary_name)}
        if limits[name] < limits[primary_name]:
            problem(path, f"{name}: max_connections {limits[name]} is below {primary_name}'s {limits[primary_name]}: "
                    "a hot standby refuses to start")
        # Either server may hold every pool: the read pools fall back to the primary when the
        # replica does not answer, and all of them are on the replica once it is promoted.
        pool = sum(int(compose_default(env.get("DYNAPI_POOL_SIZE"), SETTINGS.get("DYNAPI_POOL_SIZE") or 4))
                   for env in environments.values())
        # Each sidecar: its request pool + catalog, LISTEN, change log; its read pool + the replica monitor.
        needed = (pool + 3 * len(environments)) + (pool + len(environments)) + 1 + 3  # + install, superuser reserve
        for service in (name, primary_name):
            if limits[service] < needed:
                problem(path, f"{service}: max_connections {limits[service]} does not hold every sidecar's pools, "
                        f"the install and the superuser reserve ({needed})")


def check_compose_env_example(path):
    """compose.yaml and its dynapi.env.example agree: every ${VAR:?...} compose refuses
    to start without is an empty placeholder there, every other ${VAR:-default} is
    documented there (commented, at that default)."""
    example = os.path.join(DEPEND_DIR, "dynapi.env.example")
    text, compose = read(example), strip_comments(read(path))
    assigned = {m.group(1): m.group(2) for m in re.finditer(r"(?m)^([A-Z_][A-Z0-9_]*)=(.*)$", text)}
    commented = {m.group(1): m.group(2) for m in re.finditer(r"(?m)^#\s*([A-Z_][A-Z0-9_]*)=(\S*)", text)}
    for variable in sorted(set(re.findall(r"\$\{(\w+):?\?", compose))):
        if variable not in assigned:
            problem(example, f"{variable}, which compose.yaml requires, is not there")
        elif assigned[variable]:
            problem(example, f"{variable} holds a value: keep the empty placeholder compose refuses")
    for variable, default in sorted(set(re.findall(r"\$\{(\w+):?-([^}]*)\}", compose))):
        if variable not in commented and variable not in assigned:
            problem(example, f"{variable} (compose.yaml: default {default!r}) is not documented")
        elif variable in commented and commented[variable] != default:
            problem(example, f"{variable}={commented[variable]} is not compose.yaml's default {default!r}")


# --- systemd ----------------------------------------------------------------------------

def unit_directives(path):
    result = {}
    section = None
    for line in read(path).splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        result.setdefault((section, key.strip()), []).append(value.strip())
    return result


def check_systemd():
    path = os.path.join(DEPLOY, "systemd", "dynapi.service")
    unit = unit_directives(path)

    def last(key):
        values = unit.get(("Service", key))
        return values[-1] if values else None

    wanted = {
        "NoNewPrivileges": "yes", "ProtectSystem": "strict", "PrivateTmp": "yes", "PrivateDevices": "yes",
        "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
        "ProtectControlGroups": "yes", "RestrictNamespaces": "yes", "LockPersonality": "yes",
        "RestrictSUIDSGID": "yes", "RestrictRealtime": "yes", "Restart": "on-failure", "KillSignal": "SIGTERM",
        "EnvironmentFile": "/etc/dynapi/dynapi.env", "ExecStart": "/usr/local/bin/dynapi serve",
        "CapabilityBoundingSet": "",
    }
    for key, value in wanted.items():
        if last(key) != value:
            problem(path, f"{key}={last(key)!r}, expected {value!r}")
    if last("ProtectHome") not in ("yes", "read-only", "tmpfs"):
        problem(path, "ProtectHome is not set")
    if last("DynamicUser") != "yes" and not last("User"):
        problem(path, "neither DynamicUser=yes nor a User=")
    families = set(" ".join(unit.get(("Service", "RestrictAddressFamilies"), [])).split())
    if families != {"AF_INET", "AF_INET6", "AF_UNIX"}:
        problem(path, f"RestrictAddressFamilies is {sorted(families)}")
    filters = " ".join(unit.get(("Service", "SystemCallFilter"), []))
    if "@system-service" not in filters:
        problem(path, "SystemCallFilter does not start from @system-service")
    if last("MemoryDenyWriteExecute") not in ("yes", "no"):
        problem(path, "MemoryDenyWriteExecute is not decided either way")
    example = os.path.join(DEPLOY, "systemd", "dynapi.env.example")
    stop = seconds(last("TimeoutStopSec") or "90s")
    drain = shutdown_seconds(env_values(example).get("DYNAPI_SHUTDOWN_TIMEOUT"))
    if stop is None or stop < drain + 5:
        problem(path, f"TimeoutStopSec does not cover DYNAPI_SHUTDOWN_TIMEOUT ({drain} s) + 5 s")
    check_env_example(example, required=set(SETTINGS))
    values = env_values(example)
    check_database_urls(example, values.get("DATABASE_URL"), values.get("DYNAPI_READ_DATABASE_URL"))
    compose_variables = set(re.findall(r"\$\{(\w+)", read(os.path.join(DEPLOY, "compose", "compose.yaml"))))
    check_env_example(os.path.join(DEPLOY, "compose", "dynapi.env.example"), required=set(),
                      others=compose_variables)


def env_values(path):
    return {m.group(1): m.group(2) for m in re.finditer(r"(?m)^([A-Z_][A-Z0-9_]*)=(.*)$", read(path))}


def check_env_example(path, required, others=()):
    text = read(path)
    assigned = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line)
        if match:
            assigned[match.group(1)] = match.group(2)
        elif line.strip() and not line.lstrip().startswith("#"):
            problem(path, f"not KEY=value nor a comment: {line!r}")
    for name in required - set(assigned):
        problem(path, f"setting {name} is not documented")
    for name in set(assigned) - set(SETTINGS) - set(others):
        if not name.startswith("PG"):
            problem(path, f"{name} is not a setting DynAPI reads ({SETTING_SWIFT})")
    secret = assigned.get("DYNAPI_JWT_SECRET", "")
    if len(secret.encode()) >= 32:
        problem(path, "DYNAPI_JWT_SECRET holds a usable key: keep a placeholder DynAPI refuses")
    for name, value in assigned.items():
        if name in SETTINGS and name not in SECRETS and value and SETTINGS[name] not in (None, "") \
                and name not in ("DYNAPI_HOST",) and value != SETTINGS[name]:
            problem(path, f"{name}={value} differs from DynAPI's default {SETTINGS[name]}: say why or use it")


# --- Containerfile ----------------------------------------------------------------------

def instructions(path):
    """(line number, INSTRUCTION, arguments) with continuation lines joined."""
    result, buffer, start = [], "", 0
    for number, line in enumerate(read(path).splitlines(), 1):
        if not buffer and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if buffer and line.lstrip().startswith("#"):
            continue
        if not buffer:
            start = number
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        buffer += line
        word, _, rest = buffer.strip().partition(" ")
        result.append((start, word.upper(), rest.strip()))
        buffer = ""
    if buffer:
        problem(path, "ends inside a continued line")
    return result


KNOWN = {"FROM", "RUN", "CMD", "LABEL", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER",
         "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL", "MAINTAINER"}


def check_containerfile():
    path = os.path.join(DEPLOY, "container", "Containerfile")
    steps = instructions(path)
    stages, current, global_args = [], None, set()
    for number, word, rest in steps:
        where = f"{path}:{number}"
        if word not in KNOWN:
            problem(where, f"unknown instruction {word}")
            continue
        if word == "FROM":
            parts = rest.split()
            current = {"name": parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None,
                       "image": parts[0], "steps": []}
            for variable in re.findall(r"\$\{?(\w+)", parts[0]):
                if variable not in global_args:
                    problem(where, f"FROM uses ${variable}, which no ARG before the first FROM declares")
            stages.append(current)
            continue
        if current is None:
            if word != "ARG":
                problem(where, f"{word} before the first FROM")
            else:
                global_args.add(rest.split("=")[0].strip())
            continue
        current["steps"].append((number, word, rest))
        if word == "ADD":
            if re.search(r"\b(https?|ftp|git)://", rest):
                problem(where, "ADD of a URL: fetch in a RUN with a checksum, or COPY")
            else:
                problem(where, "ADD of a local file: use COPY (ADD also unpacks archives)")
        if word == "COPY":
            source = re.search(r"--from=(\S+)", rest)
            earlier = [s["name"] for s in stages[:-1]]
            if source and source.group(1) not in earlier and not source.group(1).isdigit():
                problem(where, f"COPY --from={source.group(1)} names no earlier stage")
            if not source:
                check_copy_sources(where, rest)
    if len(stages) < 2:
        problem(path, "not a multi-stage build")
        return
    build, final = stages[0], stages[-1]
    build_text = " ".join(rest for _, _, rest in build["steps"])
    for needed in ("--static-swift-stdlib", "-c release", "--product dynapi", "libpq-dev", "libssl-dev"):
        if needed not in build_text:
            problem(path, f"the build stage lacks {needed}")
    final_words = {}
    for number, word, rest in final["steps"]:
        final_words.setdefault(word, []).append(rest)
    user = (final_words.get("USER") or ["root"])[-1].split(":")[0]
    if user in ("root", "0"):
        problem(path, "the final stage runs as root")
    for word in ("EXPOSE", "HEALTHCHECK", "STOPSIGNAL", "ENTRYPOINT"):
        if word not in final_words:
            problem(path, f"the final stage has no {word}")
    if final_words.get("STOPSIGNAL", [""])[-1] != "SIGTERM":
        problem(path, "STOPSIGNAL is not SIGTERM")
    installs = " ".join(r for r in final_words.get("RUN", []) if "apt-get install" in r)
    packages = set(re.findall(r"(?<![\w-])(lib[\w.+-]+|ca-certificates|curl|wget)", installs))
    if packages - {"libpq5"} - {"ca-certificates"}:
        problem(path, f"the run stage installs more than libpq5 and ca-certificates: {sorted(packages)}")
    if "libpq5" not in packages:
        problem(path, "the run stage does not install libpq5")
    env = " ".join(final_words.get("ENV", []))
    if "DYNAPI_HOST=0.0.0.0" not in env:
        problem(path, "the image does not set DYNAPI_HOST=0.0.0.0")
    entry = json.loads(final_words["ENTRYPOINT"][-1]) if "ENTRYPOINT" in final_words else []
    command = json.loads(final_words["CMD"][-1]) if "CMD" in final_words else []
    if (entry + command)[:1] not in (["/usr/local/bin/dynapi"], ["dynapi"]) or "serve" not in entry + command:
        problem(path, "ENTRYPOINT and CMD do not run `dynapi serve`")
    probe = healthcheck_command(final_words.get("HEALTHCHECK", [""])[-1])
    if probe and "/api/health/" not in " ".join(probe):
        problem(path, "the HEALTHCHECK does not ask /api/health/")
    exposed = final_words.get("EXPOSE", ["0"])[-1].split("/")[0]
    if exposed != (SETTINGS.get("DYNAPI_PORT") or "8000"):
        problem(path, f"EXPOSE {exposed} is not DYNAPI_PORT")


def healthcheck_command(rest):
    match = re.search(r"\bCMD\s+(\[.*\])\s*$", rest)
    if not match:
        problem("Containerfile", "HEALTHCHECK is not in exec form (CMD [...]), so it needs a shell it may not have")
        return None
    return json.loads(match.group(1))


def ignore_patterns():
    path = os.path.join(DEPLOY, "container", "Containerfile.dockerignore")
    if not os.path.exists(path):
        return []
    return [line.strip() for line in read(path).splitlines() if line.strip() and not line.startswith("#")]


def ignored(relative, patterns):
    """Docker's rule: the last matching pattern wins; ! re-includes."""
    import fnmatch
    state = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        body = body.rstrip("/")
        if fnmatch.fnmatch(relative, body) or fnmatch.fnmatch(relative, body.replace("**/", "")):
            state = not negate
    return state


def check_copy_sources(where, rest):
    """Build-context sources exist, are not ignored, and their symlinks stay inside what is copied."""
    parts = [p for p in rest.split() if not p.startswith("--")]
    sources = parts[:-1]
    patterns = ignore_patterns()
    copied = [os.path.normpath(s) for s in sources]
    COPIED.extend(copied)
    for source in sources:
        if not os.path.exists(source):
            problem(where, f"COPY {source}: not in the build context (the repository root)")
        elif ignored(os.path.normpath(source), patterns):
            problem(where, f"COPY {source}: excluded by Containerfile.dockerignore")


COPIED = []


def check_copied_links_and_targets():
    """After every COPY is known: links inside copied folders point into copied paths; every
    SwiftPM target folder the manifest implies is copied."""
    if not COPIED:
        return
    for top in COPIED:
        for root, dirs, files in os.walk(top):
            for name in dirs + files:
                full = os.path.join(root, name)
                if os.path.islink(full):
                    target = os.path.normpath(os.path.join(root, os.readlink(full)))
                    if not any(target == c or target.startswith(c + os.sep) for c in COPIED):
                        problem("Containerfile", f"{full} links to {target}, which the build does not copy")
    manifest = read("Package.swift")
    if ".testTarget(" in manifest and "Tests" not in COPIED:
        problem("Containerfile", "Package.swift has test targets, whose folders SwiftPM wants: COPY Tests")
    for path in re.findall(r'path:\s*"([^"]+)"', manifest):
        if path.split("/")[0] not in COPIED:
            problem("Containerfile", f"Package.swift names {path}, which the build does not copy")


# --- main -------------------------------------------------------------------------------

def main():
    command = sys.argv[1] if len(sys.argv) > 1 else "static"
    if command == "nginx-copy":
        nginx_copy(sys.argv[2])
        return 0
    if command == "healthcheck":
        steps = instructions(os.path.join(DEPLOY, "container", "Containerfile"))
        probe = healthcheck_command([rest for _, word, rest in steps if word == "HEALTHCHECK"][-1])
        sys.stdout.write("\0".join(probe))
        return 0
    files = yaml_files()
    for path in files:
        load_all(path)
    print(f"ok    {len(files)} YAML files parse")
    for name, check in (("kubernetes", check_k8s), ("compose and nginx", check_compose),
                        ("systemd unit and env files", check_systemd), ("Containerfile", check_containerfile)):
        before = len(problems)
        try:
            check()
            if name == "Containerfile":
                check_copied_links_and_targets()
        except (KeyError, IndexError, TypeError, AttributeError, ValueError) as error:
            # A file shaped unlike what the checks expect is a problem too.
            problem(name, f"could not be checked ({type(error).__name__}: {error}): is a required field missing?")
        if len(problems) == before:
            print(f"ok    {name}: structure and cross-references")
    for text in problems:
        print(f"FAIL  {text}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
