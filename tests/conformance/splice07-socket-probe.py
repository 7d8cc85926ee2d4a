#!/usr/bin/env python3
# For docs/conformance.md (LTP splice07): does splice(in, out, 1) give the
# same answer with a connected stream socket as with the unconnected one
# LTP uses? The scenario language has connected sockets only; this runs the
# 19 pairs of {file, pipe read end, pipe write end, unix, inet} that LTP
# does not skip, both ways, on the live kernel. Not part of any test run.
import errno, os, signal, socket, tempfile

class Blocked(Exception):
    pass

def on_alarm(*_):
    raise Blocked()

def make(kind, connected, keep):
    if kind == 'file':
        fd, path = tempfile.mkstemp()
        os.unlink(path)
        keep.append(fd)
        return fd
    if kind in ('pipe-r', 'pipe-w'):
        r, w = os.pipe()
        keep += [r, w]
        return r if kind == 'pipe-r' else w
    family = socket.AF_UNIX if kind == 'unix' else socket.AF_INET
    if not connected:
        s = socket.socket(family, socket.SOCK_STREAM)
        keep.append(s)
        return s.fileno()
    if family == socket.AF_UNIX:
        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        keep += [a, b]
        return a.fileno()
    lst = socket.socket()
    lst.bind(('127.0.0.1', 0))
    lst.listen()
    s = socket.create_connection(lst.getsockname())
    c, _ = lst.accept()
    lst.close()
    keep += [s, c]
    return s.fileno()

def close_all(keep):
    for k in keep:
        if isinstance(k, int):
            os.close(k)
        else:
            k.close()

SKIPPED = {('pipe-r', 'file'), ('pipe-r', 'pipe-w'), ('pipe-r', 'unix'),
           ('pipe-r', 'inet'), ('file', 'pipe-w'), ('inet', 'pipe-w')}
KINDS = ['file', 'pipe-r', 'pipe-w', 'unix', 'inet']

signal.signal(signal.SIGALRM, on_alarm)
for fin in KINDS:
    for fout in KINDS:
        if (fin, fout) in SKIPPED:
            continue
        res = []
        for connected in (False, True):
            keep = []
            a = make(fin, connected, keep)
            b = make(fout, connected, keep)
            signal.alarm(1)
            try:
                res.append(str(os.splice(a, b, 1)))
            except OSError as e:
                res.append(errno.errorcode[e.errno])
            except Blocked:
                res.append('sleeps')
            signal.alarm(0)
            close_all(keep)
        print(f'{fin:6} -> {fout:6}  unconnected: {res[0]:7} connected: {res[1]}')
