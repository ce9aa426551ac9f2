# kfn's Python worker: loads the user's module once, then answers framed requests from the
# kfn runtime on fd 3 with framed responses on fd 4. The user's own stdout and stderr stay the
# process's, so prints reach the function's log.
#
# Frame: u32 header length, u32 body length (little endian), a JSON header, the body.
import importlib
import json
import os
import struct
import sys
import time
import traceback

REQ_FD, RESP_FD = 3, 4
HEAD = struct.Struct("<II")


def send(header, body=b""):
    h = json.dumps(header, separators=(",", ":")).encode()
    data = HEAD.pack(len(h), len(body)) + h + body
    view = memoryview(data)
    while view:
        n = os.write(RESP_FD, view)
        view = view[n:]


class Headers(dict):
    """Request headers, looked up without regard to case."""

    def __getitem__(self, key):
        return dict.__getitem__(self, key.lower())

    def get(self, key, default=None):
        return dict.get(self, key.lower(), default)

    def __contains__(self, key):
        return dict.__contains__(self, key.lower())


class Request:
    """What `event['extensions']['request']` holds: the HTTP request of the call."""

    def __init__(self, method, path, query_string, headers, body):
        self.method = method
        self.path = path
        self.query_string = query_string
        self.headers = headers
        self.body = body
        self.query = {}
        for part in query_string.split("&") if query_string else []:
            key, _, value = part.partition("=")
            from urllib.parse import unquote_plus

            self.query.setdefault(unquote_plus(key), unquote_plus(value))

    def get_header(self, name, default=None):
        return self.headers.get(name, default)

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    def __repr__(self):
        return "<Request %s %s>" % (self.method, self.path)


def awaitable(value):
    """Whether a handler returned a coroutine or another awaitable (what inspect.isawaitable
    says, without importing inspect and asyncio, some 8 MiB, into every worker)."""
    return hasattr(type(value), "__await__") or (
        type(value).__name__ == "generator" and bool(value.gi_code.co_flags & 0x100)
    )


def is_json(content_type):
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def encode(result):
    """The response of a return value: (status, headers, body)."""
    status, headers = 200, {}
    if isinstance(result, tuple) and 2 <= len(result) <= 3 and isinstance(result[1], int):
        status = result[1]
        if len(result) == 3 and result[2]:
            headers = dict(result[2])
        result = result[0]
    if result is None:
        body = b""
    elif isinstance(result, (bytes, bytearray, memoryview)):
        body = bytes(result)
    elif isinstance(result, str):
        body = result.encode()
        headers.setdefault("Content-Type", "text/html; charset=UTF-8")
    else:
        body = json.dumps(result).encode()
        headers.setdefault("Content-Type", "application/json")
    return status, [[str(k), str(v)] for k, v in headers.items()], body


def main():
    code_dir = os.environ.get("KUBELESS_INSTALL_VOLUME", "/kubeless")
    module_name = os.environ.get("MOD_NAME", "")
    handler_name = os.environ.get("FUNC_HANDLER", "")
    sys.path.insert(0, code_dir)
    try:
        if module_name in ("", "_kubeless"):
            raise ImportError("invalid module name %r" % module_name)
        module = importlib.import_module(module_name)
        handler = getattr(module, handler_name)
    except BaseException as e:  # the runtime reports why the function cannot start
        traceback.print_exc()
        send({"id": 0, "fatal": "cannot load %s.%s: %s: %s" % (module_name, handler_name, type(e).__name__, e)})
        sys.exit(3)
    context = {
        "function-name": os.environ.get("KFN_FUNCTION_NAME") or handler_name,
        "timeout": float(os.environ.get("FUNC_TIMEOUT") or 180),
        "runtime": os.environ.get("FUNC_RUNTIME"),
        "memory-limit": os.environ.get("FUNC_MEMORY_LIMIT"),
    }
    loop = None
    send({"id": 0, "ready": True})
    buf = bytearray()
    while True:
        chunk = os.read(REQ_FD, 65536)
        if not chunk:
            return
        buf += chunk
        while len(buf) >= 8:
            hlen, blen = HEAD.unpack_from(buf)
            if len(buf) < 8 + hlen + blen:
                break
            req = json.loads(bytes(buf[8 : 8 + hlen]))
            body = bytes(buf[8 + hlen : 8 + hlen + blen])
            del buf[: 8 + hlen + blen]
            if req.get("d") and time.monotonic() >= req["d"]:
                # Its deadline passed while it waited behind other calls: its caller has its 408.
                send({"id": req["id"], "skip": True})
                continue
            headers = Headers((k.lower(), v) for k, v in req["h"])
            data = body
            if is_json(headers.get("content-type", "")):
                try:
                    data = json.loads(body) if body else None
                except ValueError:
                    data = body
            event = {
                "data": data,
                "event-id": headers.get("event-id"),
                "event-type": headers.get("event-type"),
                "event-time": headers.get("event-time"),
                "event-namespace": headers.get("event-namespace"),
                "extensions": {"request": Request(req["m"], req["p"], req["q"], headers, body)},
            }
            try:
                result = handler(event, context)
                if awaitable(result):
                    if loop is None:
                        import asyncio

                        loop = asyncio.new_event_loop()
                    result = loop.run_until_complete(result)
                status, out_headers, out = encode(result)
                send({"id": req["id"], "s": status, "h": out_headers}, out)
            except Exception as e:
                print("Function returned an exception: %s" % e, file=sys.stderr)
                traceback.print_exc()
                name = type(e).__name__
                message = ("%s: %s" % (name, e)).encode()
                # The error's name, for a flow's Retry and Catch (kfn's own header; the body is
                # what Kubeless gave).
                error = name if name.isascii() and name.isprintable() else "Exception"
                head = {
                    "id": req["id"],
                    "s": 500,
                    "h": [["Content-Type", "text/plain; charset=utf-8"], ["x-kfn-error", error]],
                    "f": True,
                }
                if isinstance(e, MemoryError):
                    head["oom"] = True
                send(head, message)


if __name__ == "__main__":
    main()
