/* test-outbox-goa.c — which mail waiting for an Online Accounts account is
 * made due when GOA has it back (issue 14), without GOA: entries settled
 * as the send pipeline settles them, then postier-outbox-goa.c asked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-core.h"
#include "postier-outbox-entry-private.h"
#include "postier-outbox-goa.h"
#include "postier-test.h"

/* A message for ACCOUNT, settled after an attempt that failed with ERROR. */
static char *
settled (PostierOutbox *outbox,
         const char    *account,
         GError        *error)
{
  g_autoptr(PostierEnvelope) envelope = postier_envelope_new ("ada@example.org");
  const char *text = "From: Ada <ada@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: Hi\r\n\r\nBody.\r\n";
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
  g_autoptr(PostierOutboxEntry) entry = NULL;
  g_autoptr(GError) local_error = NULL;
  char *id;

  postier_envelope_add_recipient (envelope, "bob@example.org");
  id = postier_outbox_enqueue_bytes (outbox, account, envelope, bytes, NULL, &local_error);
  g_assert_no_error (local_error);
  entry = postier_outbox_lookup (outbox, id, &local_error);
  g_assert_no_error (local_error);
  _postier_outbox_entry_conclude (entry, g_get_real_time () / G_USEC_PER_SEC, error);
  g_assert_true (_postier_outbox_entry_save (entry, &local_error));
  g_assert_no_error (local_error);
  g_error_free (error);
  return id;
}

static PostierOutboxState
state_of (PostierOutbox *outbox,
          const char    *id)
{
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (outbox, id, NULL);

  g_assert_nonnull (entry);
  return postier_outbox_entry_get_state (entry);
}

static gboolean
awaits (PostierOutbox *outbox,
        const char    *id)
{
  g_autoptr(PostierOutboxEntry) entry = postier_outbox_lookup (outbox, id, NULL);

  return postier_outbox_entry_awaits_online_account (entry);
}

static void
test_only_what_goa_fixes (void)
{
  g_autoptr(PostierOutbox) outbox = postier_outbox_new (NULL);
  g_autofree char *gone = settled (outbox, "goa:a", g_error_new (POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND,
                                                                 "Mail is turned off"));
  g_autofree char *refused = settled (outbox, "goa:a", g_error_new (POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                                                                    "Sign in again"));
  g_autofree char *certificate = settled (outbox, "goa:a", g_error_new (POSTIER_SMTP_ERROR,
                                                                        POSTIER_SMTP_ERROR_TLS_CERTIFICATE,
                                                                        "Not trusted"));
  g_autofree char *other_goa = settled (outbox, "goa:b", g_error_new (POSTIER_ACCOUNT_ERROR,
                                                                      POSTIER_ACCOUNT_ERROR_NOT_FOUND, "Gone"));
  g_autofree char *own = settled (outbox, "Work", g_error_new (POSTIER_SMTP_ERROR, POSTIER_SMTP_ERROR_AUTH,
                                                               "535 refused"));

  g_assert_cmpint (state_of (outbox, gone), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  g_assert_cmpint (state_of (outbox, refused), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  g_assert_cmpint (state_of (outbox, certificate), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  g_assert_true (awaits (outbox, gone));
  g_assert_true (awaits (outbox, refused));
  g_assert_false (awaits (outbox, certificate));
  g_assert_false (awaits (outbox, own));

  /* Listed again, GOA still wanting a sign-in: only the account's return
   * is fixed. */
  g_assert_cmpuint (postier_outbox_retry_online_account (outbox, "goa:a", TRUE), ==, 1);
  g_assert_cmpint (state_of (outbox, gone), ==, POSTIER_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (state_of (outbox, refused), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);

  /* Signed in again: the refused credentials too; never the certificate,
   * another GOA account's mail, or Postier's own account's. */
  g_assert_cmpuint (postier_outbox_retry_online_account (outbox, "goa:a", FALSE), ==, 1);
  g_assert_cmpint (state_of (outbox, refused), ==, POSTIER_OUTBOX_STATE_QUEUED);
  g_assert_cmpint (state_of (outbox, certificate), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  g_assert_cmpint (state_of (outbox, other_goa), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  g_assert_cmpint (state_of (outbox, own), ==, POSTIER_OUTBOX_STATE_NEEDS_ATTENTION);
  g_assert_cmpuint (postier_outbox_retry_online_account (outbox, "goa:a", FALSE), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/outbox-goa/only-what-goa-fixes", test_only_what_goa_fixes);

  return g_test_run ();
}
