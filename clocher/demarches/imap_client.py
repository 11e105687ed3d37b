"""A small IMAP client for polling a commune's mailbox, on Python's :mod:`imaplib`.

It does only what intake needs: connect (``IMAP4_SSL``, or ``IMAP4`` upgraded with STARTTLS),
log in, select the folder, list the unread messages, fetch one without marking it read
(``BODY.PEEK[]``), and mark it read once it is safely stored. Every failure becomes a
:class:`MailboxError` whose message, in French, tells the commune's administrator what to check.

A connection in clear text is refused unless the server is on this machine (a local relay or a
test server): a password never crosses the network unencrypted.
"""

from __future__ import annotations

import contextlib
import datetime
import imaplib
import ipaddress
import re
import socket
import ssl
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 30
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')


class MailboxError(Exception):
    """The mailbox could not be read; the message says why, for the commune's administrator."""


class MessageUnavailable(Exception):
    """The server refused to give one message (the others can still be read)."""


@dataclass(frozen=True)
class FetchedMessage:
    uid: str
    raw: bytes
    internal_date: datetime.datetime | None  # when the server received it


@dataclass(frozen=True)
class MailboxSettings:
    host: str
    port: int
    use_ssl: bool
    username: str
    password: str
    folder: str = "INBOX"


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ImapSession:
    """``with ImapSession(settings) as session:`` — connected, logged in, folder selected."""

    def __init__(self, settings: MailboxSettings, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout
        self.client: imaplib.IMAP4 | None = None

    # --- Connection -------------------------------------------------------------------------

    def __enter__(self) -> ImapSession:
        settings = self.settings
        try:
            self.client = self._connect()
            try:
                self.client.login(settings.username, settings.password)
            except imaplib.IMAP4.error as error:
                raise MailboxError(
                    _(
                        "Le serveur IMAP a refusé l'identifiant ou le mot de passe : vérifiez-les "
                        "(certains hébergeurs demandent un mot de passe d'application)."
                    )
                ) from error
            status, _data = self.client.select(_quoted(settings.folder))
            if status != "OK":
                raise MailboxError(
                    _("Le dossier « %(folder)s » n'existe pas sur le serveur IMAP.")
                    % {"folder": settings.folder}
                )
        except MailboxError:
            self._close()
            raise
        except Exception as error:
            self._close()
            raise translate_error(error, settings) from error
        return self

    def _connect(self) -> imaplib.IMAP4:
        settings = self.settings
        if settings.use_ssl:
            return imaplib.IMAP4_SSL(
                settings.host,
                settings.port,
                ssl_context=ssl.create_default_context(),
                timeout=self.timeout,
            )
        client = imaplib.IMAP4(settings.host, settings.port, timeout=self.timeout)
        if "STARTTLS" in client.capabilities:
            client.starttls(ssl_context=ssl.create_default_context())
        elif not is_loopback(settings.host):
            _logout_quietly(client)
            raise MailboxError(
                _(
                    "Le serveur %(host)s n'offre pas de connexion chiffrée sur le port %(port)d : "
                    "cochez « connexion chiffrée (SSL/TLS) » et utilisez le port 993, pour que "
                    "le mot de passe ne circule pas en clair."
                )
                % {"host": settings.host, "port": settings.port}
            )
        return client

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        if self.client is not None:
            _logout_quietly(self.client)
            self.client = None

    def _client(self) -> imaplib.IMAP4:
        if self.client is None:
            raise MailboxError(_("La connexion au serveur IMAP est fermée."))
        return self.client

    # --- Messages ---------------------------------------------------------------------------

    def unseen_uids(self) -> list[str]:
        status, data = self._call("uid", "SEARCH", "UNSEEN")
        if status != "OK":
            raise MailboxError(_("Le serveur IMAP n'a pas pu lister les messages non lus."))
        found = b" ".join(part for part in data if isinstance(part, bytes))
        return [uid.decode() for uid in found.split() if uid.isdigit()]

    def fetch(self, uid: str) -> FetchedMessage | None:
        """The message with this UID, still unread; None when it has disappeared meanwhile."""
        status, data = self._call("uid", "FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
        if status != "OK":
            raise MessageUnavailable(uid)
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                envelope, raw = item
                return FetchedMessage(uid=uid, raw=raw, internal_date=_internal_date(envelope))
        return None

    def mark_seen(self, uid: str) -> None:
        status, _data = self._call("uid", "STORE", uid, "+FLAGS", "(\\Seen)")
        if status != "OK":
            raise MailboxError(
                _("Le serveur IMAP n'a pas pu marquer le message %(uid)s comme lu.") % {"uid": uid}
            )

    def _call(self, command: str, *args: Any) -> tuple[str, list[Any]]:
        client = self._client()
        try:
            status, data = getattr(client, command)(*args)
        except MailboxError:
            raise
        except imaplib.IMAP4.abort as error:
            raise MailboxError(
                _("La connexion avec le serveur IMAP a été interrompue : %(reason)s")
                % {"reason": _short(error)}
            ) from error
        except imaplib.IMAP4.error as error:
            return "NO", [str(error).encode()]
        except Exception as error:
            raise translate_error(error, self.settings) from error
        return status, list(data or [])


def _quoted(folder: str) -> str:
    folder = folder or "INBOX"
    if re.fullmatch(r"[A-Za-z0-9._/-]+", folder):
        return folder
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _internal_date(envelope: bytes) -> datetime.datetime | None:
    """``INTERNALDATE "17-Jul-1996 02:44:25 -0700"`` as an aware datetime."""
    match = _INTERNALDATE.search(envelope)
    if match is None:
        return None
    try:
        text = match.group(1).decode("ascii").strip()
        return datetime.datetime.strptime(text, "%d-%b-%Y %H:%M:%S %z")
    except (UnicodeDecodeError, ValueError):
        return None


def _logout_quietly(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except Exception:  # the connection is going away anyway: just close the socket
        with contextlib.suppress(Exception):
            client.shutdown()


def _short(error: BaseException) -> str:
    text = str(error).strip() or error.__class__.__name__
    return text[:200]


def translate_error(error: BaseException, settings: MailboxSettings) -> MailboxError:
    """A French message for a network, TLS or protocol failure."""
    where = {"host": settings.host, "port": settings.port}
    if isinstance(error, MailboxError):
        return error
    if isinstance(error, socket.gaierror):
        return MailboxError(
            _("Le serveur « %(host)s » est introuvable : vérifiez son adresse.") % where
        )
    if isinstance(error, ConnectionRefusedError):
        return MailboxError(
            _(
                "Le serveur %(host)s refuse la connexion sur le port %(port)d : vérifiez le port "
                "(993 en SSL/TLS, 143 sinon)."
            )
            % where
        )
    if isinstance(error, TimeoutError | socket.timeout):
        return MailboxError(
            _("Le serveur %(host)s ne répond pas (délai de %(seconds)d secondes dépassé).")
            % {**where, "seconds": TIMEOUT_SECONDS}
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return MailboxError(
            _(
                "Le certificat du serveur %(host)s n'est pas valide : la connexion a été refusée "
                "pour protéger le mot de passe."
            )
            % where
        )
    if isinstance(error, ssl.SSLError):
        return MailboxError(
            _(
                "La connexion chiffrée avec %(host)s:%(port)d a échoué : ce port n'accepte "
                "peut-être pas SSL/TLS (essayez 993 avec le chiffrement, 143 sans)."
            )
            % where
        )
    if isinstance(error, imaplib.IMAP4.abort):
        return MailboxError(
            _("La connexion avec le serveur IMAP a été interrompue : %(reason)s")
            % {"reason": _short(error)}
        )
    if isinstance(error, imaplib.IMAP4.error):
        return MailboxError(
            _("Le serveur IMAP a répondu par une erreur : %(reason)s") % {"reason": _short(error)}
        )
    if isinstance(error, OSError):
        return MailboxError(
            _("Erreur réseau en joignant %(host)s:%(port)d : %(reason)s")
            % {**where, "reason": _short(error)}
        )
    return MailboxError(
        _("Erreur inattendue en lisant la boîte : %(reason)s") % {"reason": _short(error)}
    )
