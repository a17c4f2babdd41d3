#!/usr/bin/env python3
"""A vAPI host (vCenter REST) that misbehaves on a schedule, for bench/soak (issue 9, item 3).

  python3 fault_backend.py --port 18192 --phase-seconds 15 --stop-after 900 --log events.jsonl

Speaks what the gateway's vapi host type calls: POST /api/session (Basic auth) -> 201 "session id";
GET /api/session -> 200 while the session is valid, else 401; POST
/api/vcenter/vm/{vm}/guest/processes/{pid}?action=delete -> 204, or what the current phase says.

Phases, in a loop, each --phase-seconds long (standard library only, loopback only):
  normal   204 (guest password must be "vmware": else 401 UNAUTHENTICATED; pid 4242 -> 404 NOT_FOUND)
  busy     500 {"error_type":"RESOURCE_BUSY",...} to every terminate call (a busy burst)
  hang     every terminate call is answered 204 only after 20 s (VMware Tools: TERM, 5 s, KILL, 15 s)
  drop     the connection is closed after the request was read, without an answer
  garbage  a 200 with a non-JSON body, or a 500 with an HTML page, or a truncated JSON (alternating)
  dead     the listening port is closed: connection refused (open connections are closed too)
  expire   every session issued so far is forgotten: the next call gets 401, the gateway must log in again
It stops by itself after --stop-after seconds.
"""
import argparse
import itertools
import json
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PHASES = ["normal", "busy", "normal", "hang", "normal", "drop", "normal", "garbage", "normal", "dead",
          "normal", "expire"]
TERMINATE = re.compile(r"^/api/vcenter/vm/([^/?]+)/guest/processes/([0-9]+)\?action=delete$")


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.phase = "normal"
        self.sessions = set()
        self.counter = itertools.count(1)
        self.garbage = itertools.count()
        self.events = None
        self.connections = set()

    def event(self, **kw):
        if self.events:
            with self.lock:
                self.events.write(json.dumps({"t": round(time.time(), 3), **kw}) + "\n")
                self.events.flush()


STATE = State()


def vapi_error(kind, msg_id, text, data=None):
    body = {"error_type": kind, "messages": [{"id": msg_id, "default_message": text, "args": []}]}
    if data is not None:
        body["data"] = data
    return json.dumps(body).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-backend/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        with STATE.lock:
            STATE.connections.add(self.connection)

    def finish(self):
        with STATE.lock:
            STATE.connections.discard(self.connection)
        super().finish()

    def reply(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def session_ok(self):
        return self.headers.get("vmware-api-session-id") in STATE.sessions

    def do_GET(self):
        if self.path == "/api/session":
            if self.session_ok():
                return self.reply(200, b'{"user":"soak"}')
            return self.reply(401, vapi_error("UNAUTHENTICATED", "vapi.session.invalid", "Session is not valid."))
        self.reply(404, vapi_error("NOT_FOUND", "vapi.method.input.invalid", "No such operation."))

    def do_POST(self):
        body = self.read_body()
        phase = STATE.phase
        if self.path == "/api/session":
            if not self.headers.get("Authorization", "").startswith("Basic "):
                return self.reply(401, vapi_error("UNAUTHENTICATED", "vapi.auth", "Authentication required."))
            sid = f"soak-session-{next(STATE.counter)}"
            with STATE.lock:
                STATE.sessions.add(sid)
            STATE.event(kind="login", session=sid)
            return self.reply(201, json.dumps(sid).encode())
        m = TERMINATE.match(self.path)
        if not m:
            return self.reply(404, vapi_error("NOT_FOUND", "vapi.method.input.invalid", "No such operation."))
        if not self.session_ok():
            return self.reply(401, vapi_error("UNAUTHENTICATED", "vapi.session.invalid", "Session is not valid."))
        pid = int(m.group(2))
        if phase == "busy":
            return self.reply(500, vapi_error("RESOURCE_BUSY", "vim.fault.TaskInProgress",
                                              "The operation is not allowed in the current state: busy."))
        if phase == "hang":
            time.sleep(20)
            return self.reply(204)
        if phase == "drop":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if phase == "garbage":
            n = next(STATE.garbage) % 3
            if n == 0:
                return self.reply(200, b"this is not json", "text/plain")
            if n == 1:
                return self.reply(500, b"<html><body>Internal Server Error</body></html>", "text/html")
            return self.reply(500, b'{"error_type": "RESOURCE_BU', "application/json")
        try:
            creds = json.loads(body or b"{}").get("credentials", {})
        except ValueError:
            creds = {}
        if creds.get("password") != "vmware":
            return self.reply(401, vapi_error("UNAUTHENTICATED", "vix.InvalidGuestLogin", "Invalid guest login."))
        if pid == 4242:
            return self.reply(404, vapi_error("NOT_FOUND", "vix.ProcessNotFound", f"Process {pid} not found.",
                                              {"pid": pid}))
        return self.reply(204)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--phase-seconds", type=float, default=15)
    ap.add_argument("--stop-after", type=float, default=900)
    ap.add_argument("--log")
    args = ap.parse_args()
    if args.log:
        STATE.events = open(args.log, "a")

    server = None
    start = time.monotonic()
    for i in itertools.count():
        phase = PHASES[i % len(PHASES)]
        if time.monotonic() - start > args.stop_after:
            break
        if phase == "expire":
            with STATE.lock:
                STATE.sessions.clear()
        if phase == "dead":
            if server:
                server.shutdown()
                server.server_close()
                server = None
            with STATE.lock:  # a dead host keeps no connection open either
                for conn in list(STATE.connections):
                    try:
                        conn.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
        elif server is None:
            for attempt in range(50):
                try:
                    server = Server(("127.0.0.1", args.port), Handler)
                    break
                except OSError:
                    time.sleep(0.1)
            threading.Thread(target=server.serve_forever, daemon=True).start()
        STATE.phase = "normal" if phase in ("dead", "expire") else phase
        STATE.event(kind="phase", phase=phase)
        print(f"{time.strftime('%H:%M:%S')} fault backend: {phase}", flush=True)
        time.sleep(args.phase_seconds)
    if server:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
