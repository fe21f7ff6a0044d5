"""sidecar_hook: the sidecar agent's diagnostics hook for a Python application.

Standard library only, one file. Load it with one line in the application::

    import sidecar_hook

or without a code change, by putting the directory that holds it (and the sitecustomize.py
shipped beside it) on PYTHONPATH. Print a copy with ``agent python-hook``.

What it does: listens on a Unix socket named by the process id in the temp directory the agent
shares ($TMPDIR, else /tmp): ``sidecar-hook-<pid>.sock``, mode 0600. A peer of another uid is
refused (SO_PEERCRED). Each connection carries one request line of JSON (at most 4096 bytes,
complete within 2 s) and gets one line of JSON back::

    {"v": 1, "request": "gc"}
    {"v": 1, "request": "allocations", "seconds": 30, "frames": 5, "top": 50}
    {"v": 1, "request": "profile", "seconds": 5, "hz": 100}

The requests are a closed set (``REQUESTS`` below); nothing received is ever evaluated. A
malformed, oversized or slow request gets an error line or is dropped; the application never
sees an exception from the hook, its signal handlers are not touched, and its threads only wait
for the GIL while a request runs (``types`` walks every object: on demand only).

After os.fork (gunicorn, Celery prefork) the child serves its own socket under its own pid; a
child that execs within 0.2 s of the fork (subprocess-style) never creates one.

Protocol versions: the request's "v" is the protocol version (1). New requests may be added to a
version; a request's fields never change meaning within one. ``hello`` lists what this hook
answers. Answers use camelCase keys, as the agent's artifacts that carry them do.
"""

import gc
import json
import os
import socket
import struct
import sys
import threading
import time

PROTOCOL = 1
MAX_REQUEST_BYTES = 4096
REQUEST_SECONDS = 2.0
SEND_SECONDS = 10.0
MAX_HANDLERS = 4
MAX_WINDOW_SECONDS = 3600
MAX_FRAMES = 32
MAX_TOP = 500
MAX_PROFILE_HZ = 1000
MAX_PROFILE_STACKS = 1000
PROFILE_DEPTH = 64
CHILD_START_DELAY = 0.2
THREAD_PREFIX = "sidecar-hook"
SOCKET_PREFIX = "sidecar-hook-"

_SO_PEERCRED = getattr(socket, "SO_PEERCRED", 17)


class _RequestError(Exception):
    """A request the hook answers with an error line."""


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.listener = None
        self.path = None
        self.pid = None
        self.handlers = threading.BoundedSemaphore(MAX_HANDLERS)
        self.window = threading.Lock()
        self.profiling = threading.Lock()
        self.started_tracing = False
        self.previous_types = None
        self.problem = None


_state = _State()


def socket_path(pid=None, directory=None):
    """Where the hook of process ``pid`` listens."""
    directory = directory or os.environ.get("TMPDIR") or "/tmp"
    return os.path.join(directory, f"{SOCKET_PREFIX}{pid or os.getpid()}.sock")


# --- requests -------------------------------------------------------------------------------


def _hello(request):
    return {
        "hook": "sidecar_hook",
        "protocol": PROTOCOL,
        "requests": sorted(REQUESTS),
        "python": ".".join(str(p) for p in sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "tracing": _tracing(),
        "path": _state.path,
    }


def _gc(request):
    hook_threads = sum(1 for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX))
    return {
        "stats": [
            {"collections": s.get("collections", 0), "collected": s.get("collected", 0), "uncollectable": s.get("uncollectable", 0)}
            for s in gc.get_stats()
        ],
        "count": list(gc.get_count()),
        "threshold": list(gc.get_threshold()),
        "garbage": len(gc.garbage),
        "enabled": gc.isenabled(),
        "threads": threading.active_count() - hook_threads,
        "hookThreads": hook_threads,
    }


def _allocations(request):
    import fnmatch
    import tracemalloc

    seconds = _number(request, "seconds", None, 0.1, MAX_WINDOW_SECONDS)
    frames = int(_number(request, "frames", 5, 1, MAX_FRAMES))
    top = int(_number(request, "top", 50, 1, MAX_TOP))
    if not _state.window.acquire(blocking=False):
        raise _RequestError("busy: an allocation window is already running in this process")
    try:
        # The hook's own allocations (snapshots, filters) are left out of the answer; the
        # patterns are compiled before tracing starts so that their cache is not counted either.
        exclude = [tracemalloc.Filter(False, __file__, all_frames=True), tracemalloc.Filter(False, tracemalloc.__file__, all_frames=True)]
        for f in exclude:
            fnmatch.fnmatch(f.filename_pattern, f.filename_pattern)
        started = not tracemalloc.is_tracing()
        if started:
            tracemalloc.start(frames)
            _state.started_tracing = True
        frames = tracemalloc.get_traceback_limit()
        begin = time.monotonic()
        # A full collection before each snapshot: what a snapshot holds is then what is retained,
        # not cyclic garbage the collector had not reached yet (on a cycle-heavy app that was up to
        # 68 KiB at one site, read as growth). Timed, because it pauses the app's threads.
        collecting = _collect()
        before = tracemalloc.take_snapshot().filter_traces(exclude)
        traced_before = tracemalloc.get_traced_memory()[0]
        time.sleep(max(0.0, seconds - (time.monotonic() - begin)))
        collecting += _collect()
        after = tracemalloc.take_snapshot().filter_traces(exclude)
        traced_after, peak = tracemalloc.get_traced_memory()
        overhead = tracemalloc.get_tracemalloc_memory()
        if started:
            tracemalloc.stop()
            _state.started_tracing = False
        elapsed = time.monotonic() - begin
        diff = after.compare_to(before, "traceback")
        del before, after
        growing = sorted((d for d in diff if d.size_diff > 0), key=lambda d: d.size_diff, reverse=True)
        sources = {}
        sites = [
            {
                "sizeDiff": d.size_diff,
                "countDiff": d.count_diff,
                "size": d.size,
                "count": d.count,
                "frames": [_frame(f.filename, f.lineno, sources) for f in reversed(d.traceback)],
            }
            for d in growing[:top]
        ]
        return {
            "seconds": round(elapsed, 3),
            "frames": frames,
            "startedTracing": started,
            "collectSeconds": round(collecting, 6),
            "tracedBefore": traced_before,
            "tracedAfter": traced_after,
            "tracedPeak": peak,
            "tracemallocOverhead": overhead,
            "sizeDiff": sum(d.size_diff for d in diff),
            "countDiff": sum(d.count_diff for d in diff),
            "sitesGrowing": len(growing),
            "sites": sites,
        }
    finally:
        if _state.started_tracing:
            try:
                tracemalloc.stop()
            finally:
                _state.started_tracing = False
        _state.window.release()


def _collect():
    """One full collection; how long it held the interpreter, in seconds."""
    start = time.perf_counter()
    gc.collect()
    return time.perf_counter() - start


def _types(request):
    top = int(_number(request, "top", 50, 1, MAX_TOP))
    # The modules the other requests import on first use, imported before counting: a window
    # between two counts must not show the hook's own first imports as growth.
    import ast, fnmatch, linecache, traceback, tracemalloc  # noqa: E401,F401

    counts = {}
    objects = gc.get_objects()
    try:
        for o in objects:
            t = type(o)
            counts[t] = counts.get(t, 0) + 1
    finally:
        total = len(objects)
        del objects
    named = {}
    for t, n in counts.items():
        name = _type_name(t)
        named[name] = named.get(name, 0) + n
    now = time.time()
    previous = _state.previous_types
    _state.previous_types = (now, named)

    def row(name):
        entry = {"type": name, "count": named.get(name, 0)}
        if previous is not None:
            entry["delta"] = named.get(name, 0) - previous[1].get(name, 0)
        return entry

    by_count = sorted(named, key=lambda k: (-named[k], k))[:top]
    answer = {"objects": total, "types": len(named), "takenAt": now, "byCount": [row(k) for k in by_count]}
    if previous is not None:
        growth = {k: named.get(k, 0) - previous[1].get(k, 0) for k in set(named) | set(previous[1])}
        grown = sorted((k for k in growth if growth[k] > 0), key=lambda k: (-growth[k], k))[:top]
        answer["previousAt"] = previous[0]
        answer["byGrowth"] = [row(k) for k in grown]
    return answer


def _stacks(request):
    import traceback

    names = {t.ident: t for t in threading.enumerate()}
    threads = []
    for ident, frame in sys._current_frames().items():
        t = names.get(ident)
        name = t.name if t is not None else None
        stack = traceback.extract_stack(frame)
        threads.append({
            "id": ident,
            "nativeId": getattr(t, "native_id", None),
            "name": name,
            "daemon": t.daemon if t is not None else None,
            "hook": bool(name and name.startswith(THREAD_PREFIX)),
            "frames": [{"file": f.filename, "line": f.lineno, "function": f.name, "code": f.line} for f in reversed(stack)],
        })
    return {"threads": threads}


def _profile(request):
    """CPU samples of every thread but the hook's over a window: at each tick (``hz`` per second) each
    thread whose own CPU clock advanced since the previous tick has that CPU time added to the stack it
    is in now. A thread blocked in sleep, I/O or a lock costs nothing and shows nothing, which is what a
    CPU profile must say. Stacks are (function, file, line) leaf first, at most 64 deep; at most 1000
    distinct stacks, the rest counted as truncated."""
    import random

    seconds = _number(request, "seconds", None, 0.1, MAX_WINDOW_SECONDS)
    hz = _number(request, "hz", 100, 1, MAX_PROFILE_HZ)
    if not _state.profiling.acquire(blocking=False):
        raise _RequestError("busy: a profiling window is already running in this process")
    try:
        period = 1.0 / hz
        clock = getattr(time, "pthread_getcpuclockid", None)
        clocks = {}
        last = {}
        stacks = {}
        truncated = 0
        ticks = 0
        me = threading.get_ident()
        begin = time.monotonic()
        deadline = begin + seconds
        next_tick = begin
        while True:
            now = time.monotonic()
            if now >= deadline:
                break
            # Jittered ticks: a fixed period can lock onto the app's own rhythm (and the GIL's 5 ms
            # switch interval) and see one phase of a loop only; a tick drawn from [0.5, 1.5) periods cannot.
            next_tick += period * (0.5 + random.random())
            time.sleep(max(0.0, min(next_tick, deadline) - now))
            ticks += 1
            hook = {t.ident for t in threading.enumerate() if t.name.startswith(THREAD_PREFIX)}
            for ident, frame in sys._current_frames().items():
                if ident == me or ident in hook:
                    continue
                cpu = None
                if clock is not None:
                    try:
                        cid = clocks.get(ident)
                        if cid is None:
                            cid = clocks[ident] = clock(ident)
                        cpu = time.clock_gettime_ns(cid)
                    except (OSError, OverflowError):
                        cpu = None
                if cpu is None:
                    spent = int(period * 1e9)  # no per-thread clock: wall-clock sampling, said in "cpuClock"
                else:
                    before = last.get(ident)
                    last[ident] = cpu
                    if before is None or cpu <= before:
                        continue
                    spent = cpu - before
                key = []
                f = frame
                while f is not None and len(key) < PROFILE_DEPTH:
                    code = f.f_code
                    key.append((code.co_qualname if hasattr(code, "co_qualname") else code.co_name, code.co_filename, f.f_lineno or 0))
                    f = f.f_back
                key = tuple(key)
                if key in stacks:
                    stacks[key] += spent
                elif len(stacks) < MAX_PROFILE_STACKS:
                    stacks[key] = spent
                else:
                    truncated += spent
            del frame
        elapsed = time.monotonic() - begin
        return {
            "seconds": round(elapsed, 3),
            "hz": hz,
            "ticks": ticks,
            "cpuClock": clock is not None,
            "stacks": [
                {"cpuNanoseconds": ns, "frames": [{"function": fn, "file": file, "line": line} for fn, file, line in key]}
                for key, ns in sorted(stacks.items(), key=lambda kv: -kv[1])
            ],
            "truncatedNanoseconds": truncated,
        }
    finally:
        _state.profiling.release()


REQUESTS = {
    "hello": _hello,
    "gc": _gc,
    "allocations": _allocations,
    "types": _types,
    "stacks": _stacks,
    "profile": _profile,
}


# --- helpers --------------------------------------------------------------------------------


def _tracing():
    module = sys.modules.get("tracemalloc")
    return bool(module and module.is_tracing())


def _number(request, key, default, low, high):
    value = request.get(key, default)
    if value is None:
        raise _RequestError(f"'{key}' is required")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (low <= value <= high):
        raise _RequestError(f"'{key}' must be a number from {low} to {high}")
    return value


def _type_name(t):
    module = getattr(t, "__module__", None)
    name = getattr(t, "__qualname__", None) or getattr(t, "__name__", "?")
    return name if module in (None, "builtins") else f"{module}.{name}"


def _frame(filename, lineno, sources):
    import linecache

    code = linecache.getline(filename, lineno).strip() or None
    return {"file": filename, "line": lineno, "function": _function_at(filename, lineno, sources), "code": code}


def _function_at(filename, lineno, sources):
    """The innermost def enclosing a line, from the file's syntax tree (parsed, never run)."""
    if filename not in sources:
        sources[filename] = _functions(filename)
    functions = sources[filename]
    if functions is None:
        return None
    best = None
    for start, end, name in functions:
        if start <= lineno <= end and (best is None or start >= best[0]):
            best = (start, name)
    return best[1] if best else "<module>"


def _functions(filename):
    import ast
    import linecache

    lines = linecache.getlines(filename)
    if not lines:
        return None
    try:
        tree = ast.parse("".join(lines), filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append((node.lineno, getattr(node, "end_lineno", node.lineno), node.name))
    return found


# --- serving --------------------------------------------------------------------------------


def _peer_refusal(conn):
    pid, uid, gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, _SO_PEERCRED, struct.calcsize("3i")))
    own = os.geteuid()
    return None if uid == own else f"refused: the peer runs as uid {uid}, this process as uid {own}"


def _reply(conn, answer):
    conn.settimeout(SEND_SECONDS)
    conn.sendall(json.dumps(answer, separators=(",", ":"), default=str).encode("utf-8") + b"\n")


def _error(conn, message, request=None):
    try:
        _reply(conn, {"v": PROTOCOL, "ok": False, "request": request, "error": message})
    except Exception:
        pass


def _read_line(conn):
    deadline = time.monotonic() + REQUEST_SECONDS
    data = b""
    while b"\n" not in data:
        if len(data) > MAX_REQUEST_BYTES:
            raise _RequestError(f"request longer than {MAX_REQUEST_BYTES} bytes")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _RequestError(f"request not complete within {REQUEST_SECONDS:g} s")
        conn.settimeout(remaining)
        try:
            chunk = conn.recv(MAX_REQUEST_BYTES + 1 - len(data))
        except socket.timeout:
            raise _RequestError(f"request not complete within {REQUEST_SECONDS:g} s") from None
        if not chunk:
            return None
        data += chunk
    line = data.split(b"\n", 1)[0]
    if len(line) > MAX_REQUEST_BYTES:
        raise _RequestError(f"request longer than {MAX_REQUEST_BYTES} bytes")
    return line


def _parse(line):
    try:
        request = json.loads(line.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _RequestError("not a JSON object") from None
    if not isinstance(request, dict):
        raise _RequestError("not a JSON object")
    version = request.get("v")
    if version != PROTOCOL:
        raise _RequestError(f"unsupported protocol version {version!r}; this hook speaks {PROTOCOL}")
    name = request.get("request")
    if not isinstance(name, str) or name not in REQUESTS:
        raise _RequestError(f"unknown request {name!r}; known: {', '.join(sorted(REQUESTS))}")
    return name, request


def _handle(conn):
    name = None
    try:
        refusal = _peer_refusal(conn)
        line = _read_line(conn)  # read first, also from a refused peer: an answer to a peer still sending would be reset
        if refusal is not None:
            raise _RequestError(refusal)
        if line is None:
            return
        name, request = _parse(line)
        answer = REQUESTS[name](request)
        answer.update({"v": PROTOCOL, "ok": True, "request": name, "pid": os.getpid()})
        _reply(conn, answer)
    except _RequestError as e:
        _error(conn, str(e), name)
    except BaseException as e:  # the application must never see an exception from the hook
        _error(conn, f"{type(e).__name__}: {e}", name)
    finally:
        try:
            conn.close()
        except Exception:
            pass
        _state.handlers.release()


def _serve(listener, pid):
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            if _state.listener is not listener or os.getpid() != pid:
                return
            time.sleep(0.1)  # EMFILE and friends: try again, never spin
            continue
        except BaseException:
            return
        try:
            if os.getpid() != pid:
                conn.close()
                return
            if not _state.handlers.acquire(blocking=False):
                _error(conn, f"busy: {MAX_HANDLERS} requests are running")
                conn.close()
                continue
            try:
                threading.Thread(target=_handle, args=(conn,), name=f"{THREAD_PREFIX}-request", daemon=True).start()
            except BaseException:
                _state.handlers.release()
                conn.close()
        except BaseException:
            try:
                conn.close()
            except Exception:
                pass


def _listen():
    """Binds the socket owner-only without touching the process-wide umask: bind in a private
    0700 directory, chmod 0600, then rename into place."""
    pid = os.getpid()
    final = socket_path(pid)
    directory = os.path.dirname(final)
    private = os.path.join(directory, f".{SOCKET_PREFIX}{pid}-{os.urandom(6).hex()}")
    os.mkdir(private, 0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        staged = os.path.join(private, "s")
        listener.bind(staged)
        os.chmod(staged, 0o600)
        listener.listen(16)
        try:
            os.unlink(final)  # left by an earlier process with this pid
        except FileNotFoundError:
            pass
        os.rename(staged, final)
    except BaseException:
        listener.close()
        raise
    finally:
        try:
            os.rmdir(private)
        except OSError:
            pass
    return listener, final, pid


def start():
    """Starts listening (idempotent). Returns the socket path, or None with the reason in ``problem()``."""
    with _state.lock:
        if _state.listener is not None and _state.pid == os.getpid():
            return _state.path
        try:
            listener, path, pid = _listen()
        except Exception as e:
            _state.problem = f"{type(e).__name__}: {e}"
            try:
                sys.stderr.write(f"sidecar_hook: not listening: {_state.problem}\n")
            except Exception:
                pass
            return None
        _state.listener, _state.path, _state.pid, _state.problem = listener, path, pid, None
        threading.Thread(target=_serve, args=(listener, pid), name=f"{THREAD_PREFIX}-accept", daemon=True).start()
        return path


def problem():
    """Why the hook is not listening, or None."""
    return _state.problem


def _after_fork_in_child():
    # Locks and the listener belong to the parent: replace them; never unlink the parent's path.
    # Tracing the child inherited from the parent's allocation window is stopped: the window's
    # thread does not exist here, so nothing else would stop it.
    old, inherited_window = _state.listener, _state.started_tracing
    _state.__init__()
    if old is not None:
        try:
            old.close()
        except Exception:
            pass
    module = sys.modules.get("tracemalloc")
    if inherited_window and module is not None and module.is_tracing():
        module.stop()
    try:
        threading.Thread(target=_start_child, name=f"{THREAD_PREFIX}-fork", daemon=True).start()
    except BaseException:
        pass


def _start_child():
    time.sleep(CHILD_START_DELAY)
    start()


def _cleanup():
    if _state.pid == os.getpid() and _state.path:
        try:
            os.unlink(_state.path)
        except OSError:
            pass


if os.environ.get("SIDECAR_HOOK_DISABLE") != "1" and not getattr(sys, "_sidecar_hook_loaded", False):
    sys._sidecar_hook_loaded = True
    import atexit

    atexit.register(_cleanup)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    start()
