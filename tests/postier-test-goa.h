/* postier-test-goa.h — the real goa-daemon on the rig's bus, for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define POSTIER_TEST_GOA_NAME "org.gnome.OnlineAccounts"

/* Writes an "IMAP and SMTP" account for ada@rig.test whose SMTP side is
 * SMTP_HOST:SMTP_PORT (STARTTLS, PLAIN as alice@localhost) into this
 * test's goa-1.0/accounts.conf. */
void         postier_test_goa_write_account (const char *smtp_host,
                                             const char *smtp_port);
/* Whether the process PID owns GOA's name on BUS; with PID NULL, stops
 * whichever process owns it and says whether there was one. */
gboolean     postier_test_goa_name_owned_by (GDBusConnection *bus,
                                             const char      *pid);
/* goa-daemon reading this test's config folder, in place of any other,
 * once it owns the name (it exports its accounts before). */
/* Mail off or on for the account postier_test_goa_write_account wrote, as
 * Settings → Online Accounts does: GOA's writable MailDisabled property. */
void         postier_test_goa_set_mail_disabled (gboolean disabled);
GSubprocess *postier_test_goa_start_daemon  (void);
void         postier_test_goa_stop_daemon   (GSubprocess *daemon);

G_END_DECLS
