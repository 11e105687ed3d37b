"""A minimal IMAP4rev1 server for tests: enough of RFC 3501 for ``imaplib`` and mailbox polling.

It listens on 127.0.0.1 on a random port, in a thread, and holds one folder (``INBOX``) in
memory. Supported: CAPABILITY, NOOP, LOGIN, SELECT/EXAMINE, SEARCH, FETCH and STORE (by sequence
number or with UID), LOGOUT. FETCH understands ``UID``, ``FLAGS``, ``INTERNALDATE``,
``RFC822`` (marks the message read, as the RFC says) and ``BODY.PEEK[]`` / ``BODY[]``; SEARCH
understands ``ALL``, ``UNSEEN`` and ``SEEN``; STORE understands ``+FLAGS``/``-FLAGS``/``FLAGS``
(with ``.SILENT``).

Why not a package: the one maintained pure-Python IMAP server on PyPI (pymap) is asyncio-based
with its own dependencies, last released in 2024, and far larger than what these tests need.

    with ImapTestServer(users={"mairie": "secret"}) as server:
        server.add_message(raw_bytes)
        ...  # poll 127.0.0.1:server.port
        assert server.is_seen(1)

Faults for tests: ``server.refuse_fetch_of`` (a UID whose FETCH answers NO) and
``server.drop_on_fetch_of`` (a UID whose FETCH closes the connection).
"""

from __future__ import annotations

import datetime
import re
import socketserver
import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

_TOKEN = re.compile(rb'"((?:[^"\\]|\\.)*)"|(\((?:[^()]|\([^()]*\))*\))|(\S+)')


@dataclass
class StoredMessage:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)
    internal_date: datetime.datetime = field(
        default_factory=lambda: datetime.datetime.now(datetime.UTC)
    )


class ImapTestServer:
    def __init__(self, users: dict[str, str] | None = None) -> None:
        self.users = users if users is not None else {"mairie": "secret"}
        self.messages: list[StoredMessage] = []
        self.lock = threading.Lock()
        self.next_uid = 1
        self.commands: list[str] = []  # every command received, without the password
        self.refuse_fetch_of: set[int] = set()
        self.drop_on_fetch_of: set[int] = set()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None

    # --- Test helpers -----------------------------------------------------------------------

    def add_message(
        self, raw: bytes, *, seen: bool = False, internal_date: datetime.datetime | None = None
    ) -> int:
        with self.lock:
            message = StoredMessage(uid=self.next_uid, raw=raw)
            if seen:
                message.flags.add("\\Seen")
            if internal_date is not None:
                message.internal_date = internal_date
            self.messages.append(message)
            self.next_uid += 1
            return message.uid

    def is_seen(self, uid: int) -> bool:
        with self.lock:
            return any(m.uid == uid and "\\Seen" in m.flags for m in self.messages)

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    # --- Lifecycle --------------------------------------------------------------------------

    def start(self) -> ImapTestServer:
        owner = self

        class Handler(_ImapHandler):
            server_state = owner

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ImapTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class _Disconnect(Exception):
    pass


class _ImapHandler(socketserver.StreamRequestHandler):
    server_state: ImapTestServer
    timeout = 10

    def handle(self) -> None:
        self.user: str | None = None
        self.selected = False
        self.send(b"* OK [CAPABILITY IMAP4rev1] Clocher test IMAP server ready")
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            try:
                if not self.dispatch(line.rstrip(b"\r\n")):
                    return
            except _Disconnect:
                return

    def send(self, data: bytes) -> None:
        self.wfile.write(data + b"\r\n")
        self.wfile.flush()

    def dispatch(self, line: bytes) -> bool:
        tokens = [_unquote(match) for match in _TOKEN.finditer(line)]
        if len(tokens) < 2:
            self.send(b"* BAD empty command")
            return True
        tag, command, args = tokens[0], tokens[1].upper(), tokens[2:]
        state = self.server_state
        logged = line if command != b"LOGIN" else tag + b" LOGIN " + (args[0] if args else b"")
        state.commands.append(logged.decode("utf-8", "replace"))
        use_uid = False
        if command == b"UID" and args:
            use_uid, command, args = True, args[0].upper(), args[1:]
        handler = {
            b"CAPABILITY": self.do_capability,
            b"NOOP": self.do_noop,
            b"LOGIN": self.do_login,
            b"SELECT": self.do_select,
            b"EXAMINE": self.do_select,
            b"SEARCH": self.do_search,
            b"FETCH": self.do_fetch,
            b"STORE": self.do_store,
            b"LOGOUT": self.do_logout,
        }.get(command)
        if handler is None:
            self.send(tag + b" BAD unknown command")
            return True
        if command not in (b"CAPABILITY", b"NOOP", b"LOGIN", b"LOGOUT") and self.user is None:
            self.send(tag + b" NO not authenticated")
            return True
        if command in (b"SEARCH", b"FETCH", b"STORE") and not self.selected:
            self.send(tag + b" NO no folder selected")
            return True
        return handler(tag, args, use_uid)

    # --- Commands ---------------------------------------------------------------------------

    def do_capability(self, tag: bytes, args: list[bytes], use_uid: bool) -> bool:
        self.send(b"* CAPABILITY IMAP4rev1")
        self.send(tag + b" OK CAPABILITY completed")
        return True

    def do_noop(self, tag: bytes, args: list[bytes], use_uid: bool) -> bool:
        self.send(tag + b" OK NOOP completed")
        return True

    def do_login(self, tag: bytes, args: list[bytes], use_uid: bool) -> bool:
        if len(args) != 2:
            self.send(tag + b" BAD LOGIN expects a user and a password")
            return True
        user, password = args[0].decode("utf-8", "replace"), args[1].decode("utf-8", "replace")
        if self.server_state.users.get(user) != password:
            self.send(tag + b" NO [AUTHENTICATIONFAILED] Invalid credentials")
            return True
        self.user = user
        self.send(tag + b" OK LOGIN completed")
        return True

    def do_select(self, tag: bytes, args: list[bytes], use_uid: bool) -> bool:
        if not args or args[0].upper() != b"INBOX":
            self.send(tag + b" NO [NONEXISTENT] no such folder")
            return True
        state = self.server_state
        with state.lock:
            count, next_uid = len(state.messages), state.next_uid
        self.selected = True
        self.send(b"* %d EXISTS" % count)
        self.send(b"* 0 RECENT")
        self.send(b"* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
        self.send(b"* OK [UIDVALIDITY 1] UIDs valid")
        self.send(b"* OK [UIDNEXT %d] next UID" % next_uid)
        self.send(tag + b" OK [READ-WRITE] SELECT completed")
        return True

    def do_search(self, tag: bytes, args: list[bytes], use_uid: bool) -> bool:
        criteria = {arg.upper() for arg in args if arg.upper() not in (b"CHARSET", b"UTF-8")}
        found = []
        state = self.server_state
        with state.lock:
            for position, message in enumerate(state.messages, start=1):
                seen = "\\Seen" in message.flags
                if b"UNSEEN" in criteria and seen:
                    continue
                if b"SEEN" in criteria and not seen:
                    continue
                found.append(message.uid if use_uid else position)
        self.send(b"* SEARCH" + b"".join(b" %d" % number for number in found))
        self.send(tag + b" OK SEARCH completed")
        return True

    def do_fetch(self, tag: bytes, args: list[bytes], use_uid: bool) -> bool:
        if len(args) < 2:
            self.send(tag + b" BAD FETCH expects a set and items")
            return True
        items = args[1].strip(b"()").upper().split()
        state = self.server_state
        for position, message in self._matching(args[0], use_uid):
            if message.uid in state.drop_on_fetch_of:
                self.connection.close()
                raise _Disconnect
            if message.uid in state.refuse_fetch_of:
                self.send(tag + b" NO [UNAVAILABLE] message cannot be read")
                return True
            parts: list[bytes] = []
            literal: bytes | None = None
            if use_uid or b"UID" in items:
                parts.append(b"UID %d" % message.uid)
            for item in items:
                if item == b"FLAGS":
                    parts.append(b"FLAGS (" + " ".join(sorted(message.flags)).encode() + b")")
                elif item == b"INTERNALDATE":
                    stamp = message.internal_date.strftime("%d-%b-%Y %H:%M:%S %z")
                    parts.append(b'INTERNALDATE "' + stamp.encode() + b'"')
                elif item in (b"RFC822", b"BODY[]", b"BODY.PEEK[]"):
                    name = b"RFC822" if item == b"RFC822" else b"BODY[]"
                    if item != b"BODY.PEEK[]":
                        with state.lock:
                            message.flags.add("\\Seen")
                    parts.append(name + b" {%d}" % len(message.raw))
                    literal = message.raw
            head = b"* %d FETCH (" % position + b" ".join(parts)
            if literal is not None:
                self.wfile.write(head + b"\r\n" + literal + b")\r\n")
                self.wfile.flush()
            else:
                self.send(head + b")")
        self.send(tag + b" OK FETCH completed")
        return True

    def do_store(self, tag: bytes, args: list[bytes], use_uid: bool) -> bool:
        if len(args) < 3:
            self.send(tag + b" BAD STORE expects a set, an action and flags")
            return True
        action = args[1].upper()
        flags = set(args[2].strip(b"()").decode().split())
        state = self.server_state
        for position, message in self._matching(args[0], use_uid):
            with state.lock:
                if action.startswith(b"+FLAGS"):
                    message.flags |= flags
                elif action.startswith(b"-FLAGS"):
                    message.flags -= flags
                elif action.startswith(b"FLAGS"):
                    message.flags = set(flags)
                current = " ".join(sorted(message.flags)).encode()
            if not action.endswith(b".SILENT"):
                self.send(b"* %d FETCH (UID %d FLAGS (%s))" % (position, message.uid, current))
        self.send(tag + b" OK STORE completed")
        return True

    def do_logout(self, tag: bytes, args: list[bytes], use_uid: bool) -> bool:
        self.send(b"* BYE logging out")
        self.send(tag + b" OK LOGOUT completed")
        return False

    def _matching(self, spec: bytes, use_uid: bool) -> list[tuple[int, StoredMessage]]:
        state = self.server_state
        with state.lock:
            indexed = list(enumerate(state.messages, start=1))
        wanted: list[tuple[int, StoredMessage]] = []
        last = max((m.uid if use_uid else p) for p, m in indexed) if indexed else 0
        for part in spec.split(b","):
            low, _sep, high = part.partition(b":")
            start = last if low == b"*" else int(low)
            end = start if not _sep else (last if high == b"*" else int(high))
            start, end = min(start, end), max(start, end)
            for position, message in indexed:
                key = message.uid if use_uid else position
                if start <= key <= end and (position, message) not in wanted:
                    wanted.append((position, message))
        return wanted


def _unquote(match: Any) -> bytes:
    quoted, group, atom = match.groups()
    if quoted is not None:
        return re.sub(rb"\\(.)", rb"\1", quoted)
    return group if group is not None else atom
