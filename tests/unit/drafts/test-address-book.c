/* test-address-book.c — completion from addresses used before, and the
 * checks the composer runs on an address field as it is typed
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/stat.h>

#include "postier-core.h"
#include "postier-test.h"

static void
test_validate_names_the_bad_address (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (postier_address_field_validate (POSTIER_ADDRESS_FIELD_TO, "", NULL));
  g_assert_true (postier_address_field_validate (POSTIER_ADDRESS_FIELD_TO,
                                                 "Ann Lee <ann@example.org>, bob@example.net", NULL));

  g_assert_false (postier_address_field_validate (POSTIER_ADDRESS_FIELD_CC, "ann@example.org, bob@", &error));
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS);
  g_assert_nonnull (strstr (error->message, "bob@"));
  g_assert_nonnull (strstr (error->message, "Cc"));
  g_clear_error (&error);

  g_assert_false (postier_address_field_validate (POSTIER_ADDRESS_FIELD_TO,
                                                  "ann@example.org\r\nBcc: eve@example.com", &error));
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_HEADER_INJECTION);
  g_clear_error (&error);

  /* From is the one field with a rule of its own: exactly one sender. */
  g_assert_true (postier_address_field_validate (POSTIER_ADDRESS_FIELD_FROM, "Ann <ann@example.org>", NULL));
  g_assert_false (postier_address_field_validate (POSTIER_ADDRESS_FIELD_FROM,
                                                  "ann@example.org, bob@example.net", &error));
  g_assert_error (error, POSTIER_MESSAGE_ERROR, POSTIER_MESSAGE_ERROR_BAD_ADDRESS);
  g_assert_true (g_str_has_prefix (error->message, "From:"));
  g_assert_true (postier_address_field_validate (POSTIER_ADDRESS_FIELD_TO,
                                                 "ann@example.org, bob@example.net", NULL));
}

static void
test_field_names (void)
{
  g_assert_cmpstr (postier_address_field_get_name (POSTIER_ADDRESS_FIELD_REPLY_TO), ==, "Reply-To");
  g_assert_null (postier_address_field_get_name (POSTIER_ADDRESS_FIELD_NONE));
  g_assert_cmpint (postier_address_field_from_name ("Bcc"), ==, POSTIER_ADDRESS_FIELD_BCC);
  g_assert_cmpint (postier_address_field_from_name ("reply-to"), ==, POSTIER_ADDRESS_FIELD_REPLY_TO);
  g_assert_cmpint (postier_address_field_from_name ("Subject"), ==, POSTIER_ADDRESS_FIELD_NONE);
}

static void
test_split_quotes_names (void)
{
  g_auto(GStrv) mailboxes = postier_address_text_split ("\"Lee, Ann\" <ann@example.org>, bob@example.net", NULL);

  g_assert_nonnull (mailboxes);
  g_assert_cmpuint (g_strv_length (mailboxes), ==, 2);
  g_assert_cmpstr (mailboxes[0], ==, "\"Lee, Ann\" <ann@example.org>");
  g_assert_cmpstr (mailboxes[1], ==, "bob@example.net");
}

static void
test_complete_most_used_first_and_survives_restart (void)
{
  g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);
  g_autoptr(PostierAddressBook) again = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) by_name = NULL;
  g_auto(GStrv) by_address = NULL;
  g_auto(GStrv) after_restart = NULL;
  g_auto(GStrv) none = NULL;
  struct stat st;

  g_assert_true (postier_address_book_load (book, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (postier_address_book_get_size (book), ==, 0);

  g_assert_cmpuint (postier_address_book_add_text (book, "Ann Lee <ann@example.org>, annie@example.com"), ==, 2);
  postier_address_book_add_text (book, "annie@example.com");
  postier_address_book_add_text (book, "ANNIE@example.com");  /* the same address */
  postier_address_book_add_text (book, "Bob Marsh <bob@example.net>");
  g_assert_cmpuint (postier_address_book_add_text (book, "not an address@"), ==, 0);
  g_assert_cmpuint (postier_address_book_get_size (book), ==, 3);

  /* "ann" matches an address prefix and a name; annie was used three times. */
  by_address = postier_address_book_complete (book, "ann", 10);
  g_assert_cmpuint (g_strv_length (by_address), ==, 2);
  g_assert_cmpstr (by_address[0], ==, "annie@example.com");
  g_assert_cmpstr (by_address[1], ==, "Ann Lee <ann@example.org>");

  /* Any word of the name, in any case. */
  by_name = postier_address_book_complete (book, "MARSH", 10);
  g_assert_cmpuint (g_strv_length (by_name), ==, 1);
  g_assert_cmpstr (by_name[0], ==, "Bob Marsh <bob@example.net>");

  none = postier_address_book_complete (book, "zed", 10);
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  g_assert_true (postier_address_book_save (book, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (postier_address_book_get_path (book), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  again = postier_address_book_new (NULL);
  g_assert_true (postier_address_book_load (again, &error));
  g_assert_cmpuint (postier_address_book_get_size (again), ==, 3);
  after_restart = postier_address_book_complete (again, "a", 1);
  g_assert_cmpuint (g_strv_length (after_restart), ==, 1);
  g_assert_cmpstr (after_restart[0], ==, "annie@example.com");
}

static void
test_damaged_lines_are_skipped (void)
{
  g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);
  g_autofree char *dir = postier_data_dir (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) found = NULL;
  const char *contents =
    "ok@example.org\tOk Person\t2\t1700000000\n"
    "garbage without tabs\n"
    "bad@\tBad\t1\t1\n"
    "\xff\xfe\t\t1\t1\n";

  g_assert_true (postier_ensure_private_dir (dir, NULL));
  g_assert_true (g_file_set_contents (postier_address_book_get_path (book), contents, -1, NULL));
  g_assert_true (postier_address_book_load (book, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (postier_address_book_get_size (book), ==, 1);
  found = postier_address_book_complete (book, "person", 5);
  g_assert_cmpstr (found[0], ==, "Ok Person <ok@example.org>");
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GError **slot = user_data;
  GError *error = NULL;

  postier_address_book_save_finish (POSTIER_ADDRESS_BOOK (source), result, &error);
  g_clear_error (slot);
  *slot = error;
}

/* The composer saves after each send without waiting: several saves may
 * overlap, and the book on disk is the latest, complete one. */
static void
test_async_saves_keep_the_latest (void)
{
  g_autoptr(PostierAddressBook) book = postier_address_book_new (NULL);
  g_autoptr(PostierAddressBook) again = NULL;
  GError *errors[3];
  const char *texts[] = { "Ann Lee <ann@example.org>", "bob@example.net", "Cy <cy@example.com>" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      postier_address_book_add_text (book, texts[i]);
      /* Not a real error: "not finished yet". */
      errors[i] = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PENDING, "pending");
      postier_address_book_save_async (book, NULL, on_saved, &errors[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      while (errors[i] != NULL && g_error_matches (errors[i], G_IO_ERROR, G_IO_ERROR_PENDING))
        g_main_context_iteration (NULL, TRUE);
      g_assert_no_error (errors[i]);
    }

  again = postier_address_book_new (NULL);
  g_assert_true (postier_address_book_load (again, NULL));
  g_assert_cmpuint (postier_address_book_get_size (again), ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/address-book/validate-names-the-bad-address", test_validate_names_the_bad_address);
  g_test_add_func ("/address-book/field-names", test_field_names);
  g_test_add_func ("/address-book/split-quotes-names", test_split_quotes_names);
  g_test_add_func ("/address-book/complete-most-used-first", test_complete_most_used_first_and_survives_restart);
  g_test_add_func ("/address-book/damaged-lines-skipped", test_damaged_lines_are_skipped);
  g_test_add_func ("/address-book/async-saves-keep-the-latest", test_async_saves_keep_the_latest);
  return g_test_run ();
}
