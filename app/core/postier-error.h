/* postier-error.h — Postier's error domains
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Configuration and stored accounts. */
#define POSTIER_ACCOUNT_ERROR (postier_account_error_quark ())
typedef enum {
  POSTIER_ACCOUNT_ERROR_FAILED,
  POSTIER_ACCOUNT_ERROR_INVALID,      /* a field has a value we refuse */
  POSTIER_ACCOUNT_ERROR_NOT_FOUND,
  POSTIER_ACCOUNT_ERROR_EXISTS,
  POSTIER_ACCOUNT_ERROR_STORAGE,      /* accounts.ini unreadable or unwritable */
} PostierAccountError;

/* Passwords: the Secret Service or a password command. */
#define POSTIER_SECRET_ERROR (postier_secret_error_quark ())
typedef enum {
  POSTIER_SECRET_ERROR_FAILED,
  POSTIER_SECRET_ERROR_NO_SERVICE,    /* no keyring reachable on the session bus */
  POSTIER_SECRET_ERROR_LOCKED,        /* keyring present but locked and not unlocked */
  POSTIER_SECRET_ERROR_NOT_FOUND,     /* no password stored for the account */
  POSTIER_SECRET_ERROR_COMMAND,       /* --password-command failed */
} PostierSecretError;

/* Turning a draft or piped message into something we may queue. */
#define POSTIER_MESSAGE_ERROR (postier_message_error_quark ())
typedef enum {
  POSTIER_MESSAGE_ERROR_FAILED,
  POSTIER_MESSAGE_ERROR_BAD_ADDRESS,
  POSTIER_MESSAGE_ERROR_HEADER_INJECTION,
  POSTIER_MESSAGE_ERROR_NO_RECIPIENTS,
  POSTIER_MESSAGE_ERROR_ATTACHMENT,
  POSTIER_MESSAGE_ERROR_MALFORMED,
  POSTIER_MESSAGE_ERROR_TOO_LARGE,     /* over the relay's SIZE or Postier's input cap */
} PostierMessageError;

/* Submission: every failure of a dialogue with a relay falls in one class,
 * which is what the outbox uses to decide between retry and give up. */
#define POSTIER_SMTP_ERROR (postier_smtp_error_quark ())
typedef enum {
  POSTIER_SMTP_ERROR_FAILED,
  POSTIER_SMTP_ERROR_NETWORK,         /* resolve, connect, read/write, timeout */
  POSTIER_SMTP_ERROR_TLS_CERTIFICATE, /* chain, host name, expiry, pin */
  POSTIER_SMTP_ERROR_TLS,             /* handshake, STARTTLS missing */
  POSTIER_SMTP_ERROR_AUTH,            /* credentials refused or no usable mechanism */
  POSTIER_SMTP_ERROR_TEMPORARY,       /* 4xx */
  POSTIER_SMTP_ERROR_PERMANENT,       /* 5xx */
  POSTIER_SMTP_ERROR_PROTOCOL,        /* a reply we cannot understand */
  POSTIER_SMTP_ERROR_TOO_BIG,         /* over the server's SIZE */
} PostierSmtpError;

/* The durable outbox. */
#define POSTIER_OUTBOX_ERROR (postier_outbox_error_quark ())
typedef enum {
  POSTIER_OUTBOX_ERROR_FAILED,
  POSTIER_OUTBOX_ERROR_NOT_FOUND,
  POSTIER_OUTBOX_ERROR_STORAGE,
  POSTIER_OUTBOX_ERROR_BUSY,          /* another flusher holds the lock */
  POSTIER_OUTBOX_ERROR_CORRUPT,
} PostierOutboxError;

GQuark postier_account_error_quark (void);
GQuark postier_secret_error_quark  (void);
GQuark postier_message_error_quark (void);
GQuark postier_smtp_error_quark    (void);
GQuark postier_outbox_error_quark  (void);

G_END_DECLS
