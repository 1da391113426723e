#!/usr/bin/env python3
"""The live half of Tests/deploy/run.sh (--live): two DynAPI sidecars on
one throwaway PostgreSQL behind nginx running Deploy/compose/nginx.conf
(upstreams and listen address moved to loopback ports), driven through nginx.

    python3 Tests/deploy/check_deploy_live.py --binary .build/debug/dynapi --work /tmp/somewhere

Sidecar 1 is `dynapi dev` (it owns the PostgreSQL and the demo schema);
sidecar 2 is `dynapi serve` with the settings of Deploy/systemd/dynapi.env.example
(its database and key replaced), under the kernel's W^X
(prctl PR_SET_MDWE, what systemd's MemoryDenyWriteExecute= enforces) where
the kernel has it. Standard library only; every wait is bounded.
"""
import argparse
import base64
import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))  # Tests/deploy
ROOT = os.path.dirname(os.path.dirname(HERE))      # the repository root
DEPLOY = os.path.join(ROOT, "Deploy")              # the files it checks
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok   ' if ok else 'FAIL '} live: {name}{'' if ok or not detail else ': ' + detail}",
          file=sys.stdout if ok else sys.stderr, flush=True)
    return ok


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=10, answer_headers=None):
    """(status, body text); the answer's headers go into `answer_headers` when given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        if answer_headers is not None:
            answer_headers.update({k.lower(): v for k, v in response.getheaders()})
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def wait_healthy(port, process, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            if request(port, "GET", "/api/health/", timeout=2)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


# --- the systemd unit's sandbox, without systemd ---------------------------------------------
UNIT = os.path.join(DEPLOY, "systemd", "dynapi.service")


def unit_values(key):
    with open(UNIT, encoding="utf-8") as handle:
        return [line.split("=", 1)[1].strip() for line in handle if line.startswith(key + "=")]


def syscall_group(name):
    """The system calls of a systemd group (@system-service, ...), groups expanded."""
    output = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True,
                            check=True).stdout
    names = set()
    for line in output.splitlines()[1:]:
        line = line.strip()
        if line and not line.startswith("#"):
            names |= syscall_group(line) if line.startswith("@") else {line}
    return names


def sandbox(command):
    """Execs `command` under what dynapi.service asks of the kernel: an unprivileged user
    (DynamicUser=), SystemCallFilter= (in order, as systemd reads it) failing with
    SystemCallErrorNumber=, RestrictAddressFamilies= and MemoryDenyWriteExecute=, all as
    seccomp rules of the same shape systemd installs. Needs Debian's python3-seccomp."""
    import errno
    import seccomp
    allowed = None
    for value in unit_values("SystemCallFilter"):
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= syscall_group(item) if item.startswith("@") else {item}
        if allowed is None:
            allowed = set() if deny else names
        elif deny:
            allowed -= names
        else:
            allowed |= names
    error = getattr(errno, (unit_values("SystemCallErrorNumber") or ["EPERM"])[-1])
    families = {getattr(socket, name) for name in " ".join(unit_values("RestrictAddressFamilies")).split()}
    if os.getuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
    for name in sorted(syscall_group("@known") - (allowed or set())):
        try:
            rules.add_rule(seccomp.ERRNO(error), name)
        except (RuntimeError, ValueError, OSError):
            pass  # not a system call of this architecture
    if families:
        for family in range(0, 64):
            if family not in families:
                rules.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, family))
    if (unit_values("MemoryDenyWriteExecute") or ["no"])[-1] == "yes":
        import mmap
        both = mmap.PROT_EXEC | mmap.PROT_WRITE
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, both, both))
        for name in ("mprotect", "pkey_mprotect"):
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name,
                           seccomp.Arg(2, seccomp.MASKED_EQ, mmap.PROT_EXEC, mmap.PROT_EXEC))
        shm_exec = 0o100000
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, shm_exec, shm_exec))
    rules.load()  # sets no_new_privs too (NoNewPrivileges=)
    os.execv(command[0], command)


def sandbox_available():
    return os.path.exists("/usr/bin/python3") and shutil.which("systemd-analyze") is not None and subprocess.run(
        ["/usr/bin/python3", "-c", "import seccomp"], capture_output=True).returncode == 0


# --- W^X ------------------------------------------------------------------------------------
PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1


def mdwe():
    """preexec_fn: refuse writable+executable memory from here on, inherited across exec."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_MDWE)")


def mdwe_works():
    """Whether this kernel enforces PR_SET_MDWE: a W+X mapping must fail under it."""
    probe = "import mmap,sys\ntry:\n    mmap.mmap(-1, 4096, prot=mmap.PROT_READ|mmap.PROT_WRITE|mmap.PROT_EXEC)\n" \
            "except OSError:\n    sys.exit(3)\nsys.exit(0)"
    try:
        return subprocess.run([sys.executable, "-c", probe], preexec_fn=mdwe, timeout=20).returncode == 3
    except (OSError, subprocess.SubprocessError):
        return False


# --- WebSocket (RFC 6455, the client side of what the test needs) -------------------------------
class Socket:
    def __init__(self, port, path):
        self.raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        self.raw.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                          f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.raw.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0

    def _read(self, count, deadline):
        while len(self.buffer) < count:
            self.raw.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.raw.recv(65536)
            if not chunk:
                raise ConnectionError("closed without a close frame")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send(self, opcode, payload=b""):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        length = len(payload)
        header += bytes([0x80 | length]) if length < 126 else bytes([0x80 | 126]) + struct.pack("!H", length)
        self.raw.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def receive(self, seconds=10):
        """('text', str) or ('close', code); pings are answered on the way."""
        deadline = time.monotonic() + seconds
        while True:
            first, second = self._read(2, deadline)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2, deadline))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8, deadline))[0]
            payload = self._read(length, deadline)
            if opcode == 0x9:
                self.send(0xA, payload)
            elif opcode == 0x8:
                return "close", struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            elif opcode == 0x1:
                return "text", payload.decode()

    def events(self, seconds):
        """Text messages until `seconds` pass quietly (JSON-decoded)."""
        found = []
        try:
            while True:
                kind, value = self.receive(seconds)
                if kind == "close":
                    found.append({"closed": value})
                    return found
                found.append(json.loads(value))
        except (socket.timeout, TimeoutError):
            return found

    def close(self):
        try:
            self.raw.close()
        except OSError:
            pass


# --- the run ---------------------------------------------------------------------------------
def env_file(path):
    """systemd EnvironmentFile= lines: KEY=value, comments on their own lines."""
    values = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"^([A-Z_][A-Z0-9_]*)=(.*)$", line.rstrip("\n"))
            if match:
                values[match.group(1)] = match.group(2)
    return values


def nginx_config(work, upstreams, port):
    with open(os.path.join(DEPLOY, "compose", "nginx.conf"), encoding="utf-8") as handle:
        text = handle.read()
    for host, upstream_port in upstreams.items():
        text, count = re.subn(rf"(?m)^(\s*server\s+){re.escape(host)}:\d+", rf"\g<1>127.0.0.1:{upstream_port}", text)
        if count == 0:
            raise SystemExit(f"nginx.conf: no upstream server {host}")
    text, count = re.subn(r"(?m)^(\s*listen\s+)80\b", rf"\g<1>127.0.0.1:{port}", text)
    if count != 1:
        raise SystemExit("nginx.conf: no `listen 80`")
    text = text.replace("access_log /dev/stdout", f"access_log {work}/access.log")
    path = os.path.join(work, "nginx.conf")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def main():
    if sys.argv[1:2] == ["--sandbox"]:
        sandbox(sys.argv[3:] if sys.argv[2:3] == ["--"] else sys.argv[2:])
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--work", required=True)
    arguments = parser.parse_args()
    binary = os.path.abspath(arguments.binary)
    work = os.path.abspath(arguments.work)
    os.makedirs(work, exist_ok=True)
    if os.getuid() == 0:
        # PostgreSQL runs as `postgres` (dynapi dev switches to it) and must reach its folder.
        os.chmod(work, 0o755)
    processes = []

    def start(name, command, **options):
        log = open(os.path.join(work, name + ".log"), "w")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **options)
        processes.append((name, process))
        return process

    def show_log(name):
        try:
            with open(os.path.join(work, name + ".log"), encoding="utf-8", errors="replace") as handle:
                print(f"--- {name}.log (last lines)\n" + "".join(handle.readlines()[-15:]), file=sys.stderr)
        except OSError:
            pass

    try:
        port1, port2, port_nginx = free_port(), free_port(), free_port()
        first = start("dynapi-1", [binary, "dev", "--data", os.path.join(work, "dev"), "--port", str(port1)])
        if not check("sidecar 1 (dynapi dev) healthy", wait_healthy(port1, first, 240)):
            show_log("dynapi-1")
            return 1
        with open(os.path.join(work, "dynapi-1.log"), encoding="utf-8") as handle:
            url = re.search(r"database\s+(postgres\S+)", handle.read()).group(1)
        with open(os.path.join(work, "dev", "jwt-secret"), encoding="utf-8") as handle:
            secret = handle.read().strip()

        environment = {k: v for k, v in os.environ.items() if not k.startswith(("DYNAPI_", "PG")) and k != "DATABASE_URL"}
        environment.update(env_file(os.path.join(DEPLOY, "systemd", "dynapi.env.example")))
        environment.update(DATABASE_URL=url + ("&" if "?" in url else "?") + "application_name=dynapi-2",
                           DYNAPI_JWT_SECRET=secret, DYNAPI_PORT=str(port2), DYNAPI_HOST="127.0.0.1")
        # Sidecar 2 as dynapi.service would run it, as far as the kernel goes: its seccomp
        # rules and an unprivileged user (python3-seccomp), else at least the kernel's W^X.
        if sandbox_available():
            how = "as user nobody under the unit's SystemCallFilter, RestrictAddressFamilies, MemoryDenyWriteExecute"
            # First make sure the sandbox bites: each of these must be refused.
            probe = ("import mmap, os, socket\nfound = []\n"
                     "for name, attempt in (('netlink', lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW)),\n"
                     "        ('w+x', lambda: mmap.mmap(-1, 4096, prot=7)), ('affinity', lambda: os.sched_setaffinity(0, {0}))):\n"
                     "    try:\n        attempt(); found.append(name)\n    except OSError:\n        pass\n"
                     "print(os.getuid(), *found)")
            refused = subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--sandbox", "--",
                                      "/usr/bin/python3", "-c", probe], capture_output=True, text=True, cwd="/")
            expected = "65534" if os.getuid() == 0 else str(os.getuid())
            check("the unit's sandbox refuses netlink sockets, W+X memory and @resources calls",
                  refused.stdout.strip() == expected, refused.stdout.strip() + refused.stderr[-300:])
            if os.getuid() == 0:
                os.chmod(os.path.join(work, "dev"), 0o755)
            second = start("dynapi-2", ["/usr/bin/python3", os.path.abspath(__file__), "--sandbox", "--", binary,
                                        "serve"], env=environment, cwd="/")
        elif mdwe_works():
            how = "under the kernel's W^X (PR_SET_MDWE); no python3-seccomp for the unit's other filters"
            second = start("dynapi-2", [binary, "serve"], env=environment, preexec_fn=mdwe)
        else:
            how = "unconfined: neither python3-seccomp nor PR_SET_MDWE here"
            second = start("dynapi-2", [binary, "serve"], env=environment)
        if not check(f"sidecar 2 (dynapi serve with systemd/dynapi.env.example, {how}) healthy",
                     wait_healthy(port2, second, 120)):
            show_log("dynapi-2")
            return 1

        config = nginx_config(work, {"dynapi-1": port1, "dynapi-2": port2}, port_nginx)
        nginx = start("nginx", ["nginx", "-p", work + "/", "-c", config, "-e", os.path.join(work, "nginx-error.log"),
                                "-g", f"pid {work}/nginx.pid; daemon off;"])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and nginx.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port_nginx), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        if not check("nginx started with Deploy/compose/nginx.conf", nginx.poll() is None):
            show_log("nginx")
            return 1

        status, body = request(port_nginx, "GET", "/api/health/")
        check("GET /api/health/ through nginx", status == 200 and json.loads(body).get("status") == "ok", f"{status} {body}")
        check("nginx's own /healthz", request(port_nginx, "GET", "/healthz")[0] == 200)
        check("/ is not proxied (404)", request(port_nginx, "GET", "/")[0] == 404)
        status, body = request(port_nginx, "POST", "/api/auth/login/", {"username": "admin", "password": "dynapi-admin"})
        token = json.loads(body).get("access") if status == 200 else None
        if not check("login through nginx", bool(token), f"{status} {body[:200]}"):
            return 1
        bearer = {"Authorization": f"Bearer {token}"}
        statuses = [request(port_nginx, "GET", "/api/dyn/customer/?limit=1", headers=bearer)[0] for _ in range(8)]
        check("8 requests through nginx answer 200", statuses == [200] * 8, str(statuses))
        time.sleep(0.3)
        with open(os.path.join(work, "access.log"), encoding="utf-8") as handle:
            log = handle.read()
        used = {port for port in (port1, port2) if f"127.0.0.1:{port}" in log}
        check("requests reach both sidecars", used == {port1, port2}, f"upstreams seen: {sorted(used)}")

        # Over client_max_body_size: refused on the Content-Length alone.
        raw = socket.create_connection(("127.0.0.1", port_nginx), timeout=10)
        raw.sendall(f"POST /api/dyn/customer/ HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                    "Content-Type: application/json\r\nContent-Length: 11000000\r\n\r\n".encode())
        answer = raw.recv(200).decode(errors="replace")
        raw.close()
        check("an 11 MB body gets 413 from nginx", answer.startswith("HTTP/1.1 413"), answer.split("\r\n")[0])
        status, _ = request(port_nginx, "GET", "/metrics")
        check("/metrics from loopback is let through (not 403)", status != 403, str(status))
        # A request id from outside reaches the sidecar (which answers it back, when it does so).
        answer = {}
        request(port_nginx, "GET", "/api/health/", headers={"X-Request-Id": "check-deploy-42"}, answer_headers=answer)
        if "x-request-id" in answer:
            check("X-Request-Id passes through nginx to the sidecar and back",
                  answer["x-request-id"] == "check-deploy-42", answer["x-request-id"])

        # Two sockets: least_conn puts the second on the other sidecar.
        path = f"/ws/dynapi/customer/?token={token}"
        sockets = [Socket(port_nginx, path), Socket(port_nginx, path)]
        check("WebSocket upgrade through nginx (101)", [s.status for s in sockets] == [101, 101],
              str([s.status for s in sockets]))
        firsts = [s.events(3)[:1] for s in sockets]
        check("both sockets subscribed", all(f and f[0].get("event") == "subscribed" for f in firsts), str(firsts))
        status, body = request(port_nginx, "POST", "/api/dyn/customer/", {"name": "check-deploy"}, headers=bearer)
        created = json.loads(body).get("id") if status == 201 else None
        check("POST through nginx creates a row", created is not None, f"{status} {body[:200]}")
        heard = [s.events(2) for s in sockets]
        check("the row's event reaches the sockets on both sidecars",
              all(any(e.get("event") == "created" and str(e.get("pk")) == str(created) for e in h) for h in heard),
              str(heard))

        # The drain: SIGTERM to sidecar 2 closes its socket with 1001, through nginx; exit 0.
        second.send_signal(signal.SIGTERM)
        try:
            code = second.wait(timeout=30)
        except subprocess.TimeoutExpired:
            code = None
        check("sidecar 2 exits 0 on SIGTERM within 30 s", code == 0, f"exit {code}")
        closes = [[e.get("closed") for e in s.events(2) if "closed" in e] for s in sockets]
        check("its socket is closed with 1001 through nginx, the other stays open",
              sorted(closes) == [[], [1001]], str(closes))
        statuses = [request(port_nginx, "GET", "/api/dyn/customer/?limit=1", headers=bearer)[0] for _ in range(6)]
        check("with sidecar 2 gone, nginx sends everything to sidecar 1", statuses == [200] * 6, str(statuses))
        for s in sockets:
            s.close()

        # The Containerfile's HEALTHCHECK, run as Docker would (exec form).
        probe = subprocess.run([sys.executable, os.path.join(HERE, "check_deploy.py"), "healthcheck"],
                               capture_output=True, text=True, cwd=ROOT).stdout.split("\0")
        good = subprocess.run(probe, env={**os.environ, "DYNAPI_PORT": str(port1)}, timeout=10).returncode
        bad = subprocess.run(probe, env={**os.environ, "DYNAPI_PORT": str(port2)}, timeout=10,
                             stderr=subprocess.DEVNULL).returncode
        check("the Containerfile's HEALTHCHECK passes on a healthy sidecar, fails on a stopped one",
              good == 0 and bad != 0, f"healthy: {good}, stopped: {bad}")

        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=15)
        with open(os.path.join(work, "access.log"), encoding="utf-8") as handle:
            log = handle.read()
        check("no access token in nginx's access log", token not in log and "token=" not in log)
        upstreams = re.findall(r"\(websocket\)\" 101 .* upstream=127\.0\.0\.1:(\d+)", log)
        check("the two WebSockets were logged, one on each sidecar", sorted(upstreams) == sorted([str(port1), str(port2)]),
              str(upstreams))
        return 0 if all(results) else 1
    finally:
        for name, process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


if __name__ == "__main__":
    sys.exit(main())
