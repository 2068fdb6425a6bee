#!/usr/bin/env python3
"""Static server for the demo (www/) that makes its pages cross-origin isolated.

Wasm threads need SharedArrayBuffer, which browsers give only to cross-origin isolated pages:
every page is sent COOP `same-origin` and COEP `require-corp`. Every file is also sent CORP
`cross-origin`, so an isolated page on another origin may still embed the widget and the
library from here. `--no-isolation` serves like a plain static host (no COOP/COEP): the
library then runs its single-thread module, or the demo's service worker adds the headers.

    python3 scripts/serve.py [PORT] [--bind 127.0.0.1] [--directory www] [--no-isolation]
"""
import argparse
import functools
import http.server


class Handler(http.server.SimpleHTTPRequestHandler):
    isolate = True

    def end_headers(self):
        if self.isolate:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
        self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        super().end_headers()

    def log_message(self, *args):
        pass  # one line per file of a 300 MB model download is noise


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("port", type=int, nargs="?", default=8080)
    p.add_argument("--bind", default="127.0.0.1")
    p.add_argument("--directory", default="www")
    p.add_argument("--no-isolation", action="store_true", help="no COOP/COEP headers (a plain static host)")
    a = p.parse_args()
    Handler.isolate = not a.no_isolation
    Handler.extensions_map = {**Handler.extensions_map, ".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript"}
    handler = functools.partial(Handler, directory=a.directory)
    with http.server.ThreadingHTTPServer((a.bind, a.port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
