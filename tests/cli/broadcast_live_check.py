#!/usr/bin/env python3
"""`superbet broadcast --sink live` against local fake Telegram and X servers (issue 15).

Usage: broadcast_live_check.py SUPERBET_EXE INPUT.jsonl

A local HTTP server on 127.0.0.1 (port chosen by the OS) answers like the Bot API sendMessage
(POST /bot{token}/sendMessage, JSON {chat_id, text, parse_mode}) and X API v2 POST /2/tweets
(OAuth 1.0a Authorization header); the tool reads its credentials from the environment
(TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID; X_API_KEY ... X_ACCESS_TOKEN_SECRET; X's secrets given as
*_FILE files) and its base URLs from TELEGRAM_API_BASE / X_API_BASE. Telegram answers the first
post 429 with parameters.retry_after 1 (the plant waits and posts again: replay clock).

Checks: exit 0; each platform received every published event exactly once (its report's published
count, the same texts on both platforms' sides); the Telegram requests carry parse_mode MarkdownV2
and the chat id; every X request is OAuth 1.0a signed with our consumer key and token; and no
credential appears in the tool's stdout, stderr or JSON report.
"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

SECRETS = {
    "TELEGRAM_BOT_TOKEN": "123456:TG-S3CR3T-bot-token",
    "X_API_KEY": "xk-S3CR3T-consumer-key",
    "X_API_SECRET": "xs-S3CR3T-consumer-secret",
    "X_ACCESS_TOKEN": "xt-S3CR3T-access-token",
    "X_ACCESS_TOKEN_SECRET": "xts-S3CR3T-token-secret",
}

received = {"telegram": [], "twitter": []}
failures = []
lock = threading.Lock()
first_telegram = [True]


def check(cond, what):
    if not cond:
        failures.append(what)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.path == "/bot%s/sendMessage" % SECRETS["TELEGRAM_BOT_TOKEN"]:
            with lock:
                if first_telegram[0]:
                    first_telegram[0] = False
                    return self.reply(429, {"ok": False, "error_code": 429,
                                            "description": "Too Many Requests: retry after 1",
                                            "parameters": {"retry_after": 1}})
                received["telegram"].append(body)
            return self.reply(200, {"ok": True, "result": {"message_id": 1}})
        if self.path == "/2/tweets":
            auth = self.headers.get("Authorization", "")
            check(auth.startswith("OAuth ") and "oauth_signature=" in auth
                  and 'oauth_consumer_key="%s"' % SECRETS["X_API_KEY"] in auth
                  and 'oauth_token="%s"' % SECRETS["X_ACCESS_TOKEN"] in auth
                  and 'oauth_signature_method="HMAC-SHA1"' in auth,
                  "X request signed with OAuth 1.0a: %s" % auth[:60])
            with lock:
                received["twitter"].append(body)
            return self.reply(201, {"data": {"id": "1", "text": body.get("text", "")}})
        self.reply(404, {"ok": False})


def main():
    exe, input_path = sys.argv[1], sys.argv[2]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % server.server_address[1]
    with tempfile.TemporaryDirectory(prefix="superbet-broadcast-live-") as tmp:
        env = dict(os.environ)
        env.update({"TELEGRAM_BOT_TOKEN": SECRETS["TELEGRAM_BOT_TOKEN"],
                    "TELEGRAM_CHAT_ID": "@superbet_test", "TELEGRAM_API_BASE": base,
                    "X_API_KEY": SECRETS["X_API_KEY"], "X_ACCESS_TOKEN": SECRETS["X_ACCESS_TOKEN"],
                    "X_API_BASE": base})
        for name in ("X_API_SECRET", "X_ACCESS_TOKEN_SECRET"):  # Secrets from files.
            path = os.path.join(tmp, name.lower())
            with open(path, "w") as f:
                f.write(SECRETS[name] + "\n")
            env[name + "_FILE"] = path
            env.pop(name, None)
        report_path = os.path.join(tmp, "report.json")
        r = subprocess.run([exe, "broadcast", "--input", input_path, "--sink", "live",
                            "--platforms", "twitter,telegram", "--json", report_path],
                           capture_output=True, text=True, timeout=300, env=env)
        server.shutdown()
        check(r.returncode == 0, "exit code %d: %s" % (r.returncode, r.stderr[-2000:]))
        report_text = open(report_path).read() if os.path.exists(report_path) else ""
        report = json.loads(report_text) if report_text else {}
        for platform in ("telegram", "twitter"):
            published = sum(report.get("published", {}).get(platform, {}).values())
            texts = [b.get("text") for b in received[platform]]
            check(published > 0, "%s: something published" % platform)
            check(len(texts) == published, "%s: %d posts received, %d published"
                  % (platform, len(texts), published))
            check(len(set(texts)) == len(texts), "%s: no text posted twice" % platform)
        for b in received["telegram"]:
            check(b.get("parse_mode") == "MarkdownV2" and b.get("chat_id") == "@superbet_test",
                  "telegram request fields: %s" % {k: b.get(k) for k in ("parse_mode", "chat_id")})
        check(report.get("platforms", {}).get("telegram", {}).get("errors", {}).get("http_429") == 1,
              "telegram: the 429 counted once: %s" % report.get("platforms", {}).get("telegram"))
        for where, text in (("stdout", r.stdout), ("stderr", r.stderr), ("report", report_text)):
            for name, secret in SECRETS.items():
                check(secret not in text and "S3CR3T" not in text,
                      "%s does not show %s" % (where, name))
    print("telegram %d, twitter %d posts" % (len(received["telegram"]), len(received["twitter"])))
    if failures:
        for f in failures:
            print("FAILED:", f)
        sys.exit(1)


if __name__ == "__main__":
    main()
