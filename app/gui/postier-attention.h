/* postier-attention.h — what a person must do for an account that stopped
 * sending (issue 14): the words and the one action, the same in the outbox
 * row of a waiting message and in the composer's warning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "postier-account-store.h"
#include "postier-outbox-entry.h"

G_BEGIN_DECLS

typedef enum {
  POSTIER_ATTENTION_NONE,       /* nothing this module has words for */
  POSTIER_ATTENTION_ACCOUNT,    /* Postier's own account refused (a password): its settings */
  POSTIER_ATTENTION_OAUTH,      /* Postier's own OAuth 2.0 account: sign in again in the browser */
  POSTIER_ATTENTION_GOA,        /* Online Accounts refused or asks for a sign-in: there */
  POSTIER_ATTENTION_GOA_GONE,   /* the Online Accounts account is gone or has mail turned off */
} PostierAttention;

/* What ENTRY waits for, when it waits as needs-attention: a refusal at
 * AUTH (entry.ini's Failure=auth), or a `goa:` account that GOA no longer
 * lists. STORE (may be NULL: then the application's) tells Postier's own
 * OAuth accounts from password ones. No I/O. */
PostierAttention postier_attention_for_entry   (PostierOutboxEntry  *entry,
                                                PostierAccountStore *store);
/* The outbox row's status line, "Needs attention — sign in to Google
 * again", translated. ACCOUNT (may be NULL) names the provider. */
char            *postier_attention_status_text (PostierAttention     kind,
                                                PostierAccount      *account);
/* The label of the one button (with a mnemonic), or NULL when there is
 * nothing to click: Online Accounts without GNOME's Settings installed. */
const char      *postier_attention_button_label (PostierAttention    kind);
/* The account an entry was queued with: Postier's own from STORE (or the
 * application's), else GOA's as last listed. Borrowed; may be NULL. */
PostierAccount  *postier_attention_lookup_account (const char          *name,
                                                   PostierAccountStore *store);
/* How a person knows ENTRY's account: its name, or for an Online
 * Accounts one its address (GOA's, else the message's sender, once GOA no
 * longer lists it), never GOA's internal id. */
char            *postier_attention_account_title  (PostierOutboxEntry  *entry);
/* ENTRY's last error as the row shows it: core's words, with a GOA id
 * replaced by postier_attention_account_title(). NULL when none. */
char            *postier_attention_dup_error      (PostierOutboxEntry  *entry);

G_END_DECLS
