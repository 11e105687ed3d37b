"""Back-office routes of démarches: mailboxes (e-mail intake) and the triage of e-mails."""

from django.urls import path

from clocher.demarches.views import mailboxes

urlpatterns = [
    path("boites-mail/", mailboxes.mailbox_list, name="mailboxes"),
    path("boites-mail/nouvelle/", mailboxes.mailbox_add, name="mailbox-add"),
    path("boites-mail/<int:mailbox>/", mailboxes.mailbox_edit, name="mailbox"),
    path("boites-mail/<int:mailbox>/tester/", mailboxes.mailbox_test, name="mailbox-test"),
    path("boites-mail/<int:mailbox>/relever/", mailboxes.mailbox_poll, name="mailbox-poll"),
    path("courriels/", mailboxes.triage, name="mail-triage"),
    path("courriels/<int:mail_item>/", mailboxes.mail_item, name="mail-item"),
    path(
        "courriels/<int:mail_item>/demande/<int:online_procedure>/",
        mailboxes.mail_item_convert,
        name="mail-item-convert",
    ),
    path(
        "courriels/<int:mail_item>/classer/", mailboxes.mail_item_dismiss, name="mail-item-dismiss"
    ),
    path(
        "courriels/<int:mail_item>/message.eml",
        mailboxes.mail_item_original,
        name="mail-item-original",
    ),
    path(
        "courriels/<int:mail_item>/pieces/<int:attachment_number>/",
        mailboxes.mail_item_attachment,
        name="mail-item-attachment",
    ),
]
