/* test-autoconfig.c — what the set-up page proposes from an address
 *
 * The SRV answers come from a resolver of our own that serves a fixed zone,
 * so the choice between services, priorities and "not offered" records is
 * checked without depending on the Internet's DNS.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "postier-autoconfig.h"
#include "postier-core.h"
#include "postier-test.h"

/* --- A resolver that answers from a table --------------------------------- */

typedef struct {
  const char *rrname;
  const char *host;
  guint16     port;
  guint16     priority;
  guint16     weight;
} ZoneRecord;

#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, GResolver)

struct _TestResolver
{
  GResolver         parent_instance;
  const ZoneRecord *zone;
  guint             n_lookups;
};

G_DEFINE_TYPE (TestResolver, test_resolver, G_TYPE_RESOLVER)

static GList *
answer (TestResolver *self,
        const char   *rrname)
{
  GList *targets = NULL;

  for (const ZoneRecord *r = self->zone; r->rrname != NULL; r++)
    if (g_str_equal (r->rrname, rrname))
      targets = g_list_append (targets, g_srv_target_new (r->host, r->port, r->priority,
                                                          r->weight));
  return g_srv_target_list_sort (targets);
}

static void
test_resolver_lookup_service_async (GResolver           *resolver,
                                    const char          *rrname,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  TestResolver *self = TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GList *targets;

  self->n_lookups++;
  if (g_task_return_error_if_cancelled (task))
    return;

  targets = answer (self, rrname);
  if (targets == NULL)
    g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                             "No DNS record of the requested type for %s", rrname);
  else
    g_task_return_pointer (task, targets, NULL);
}

static GList *
test_resolver_lookup_service_finish (G_GNUC_UNUSED GResolver *resolver,
                                     GAsyncResult            *result,
                                     GError                 **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_service_async = test_resolver_lookup_service_async;
  resolver_class->lookup_service_finish = test_resolver_lookup_service_finish;
}

static void
test_resolver_init (G_GNUC_UNUSED TestResolver *self)
{
}

static const ZoneRecord zone[] = {
  /* Both services, implicit TLS at the same priority: implicit TLS wins. */
  { "_submissions._tcp.both.example", "smtps.both.example.", 465, 10, 0 },
  { "_submission._tcp.both.example", "smtp.both.example.", 587, 10, 0 },
  /* Only STARTTLS. */
  { "_submission._tcp.starttls.example", "mail.starttls.example.", 587, 0, 1 },
  /* STARTTLS preferred by priority over implicit TLS. */
  { "_submissions._tcp.prio.example", "tls.prio.example.", 465, 20, 0 },
  { "_submission._tcp.prio.example", "plain.prio.example.", 2587, 5, 0 },
  /* Implicit TLS explicitly not offered, STARTTLS elsewhere. */
  { "_submissions._tcp.dot.example", ".", 0, 0, 0 },
  { "_submission._tcp.dot.example", "relay.provider.example.", 587, 0, 0 },
  { NULL, NULL, 0, 0, 0 },
};

/* --- Tests ------------------------------------------------------------------ */

static void
test_domain_of_address (void)
{
  char *domain;

  domain = postier_autoconfig_domain_of_address ("Ada Lovelace <Ada@Example.ORG>");
  g_assert_cmpstr (domain, ==, "example.org");
  g_free (domain);

  domain = postier_autoconfig_domain_of_address ("bob@mail.example.net");
  g_assert_cmpstr (domain, ==, "mail.example.net");
  g_free (domain);

  g_assert_null (postier_autoconfig_domain_of_address ("not an address"));
  g_assert_null (postier_autoconfig_domain_of_address (""));
  g_assert_null (postier_autoconfig_domain_of_address (NULL));
}

static void
test_format_identity (void)
{
  const char *cases[][3] = {
    { "Ada Lovelace", "ada@example.org", "Ada Lovelace <ada@example.org>" },
    { "", "ada@example.org", "ada@example.org" },
    { "  ", " ada@example.org ", "ada@example.org" },
    /* A comma or a dot in a name needs quotes, or it would read as two
     * addresses or break the header. */
    { "Lovelace, Ada", "ada@example.org", "\"Lovelace, Ada\" <ada@example.org>" },
    { "Zoé Dupont", "zoe@example.fr", "Zoé Dupont <zoe@example.fr>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *identity = postier_autoconfig_format_identity (cases[i][0], cases[i][1]);
      g_autofree char *name = NULL;
      g_autofree char *address = NULL;
      g_autofree char *expected_address = g_strstrip (g_strdup (cases[i][1]));

      g_assert_cmpstr (identity, ==, cases[i][2]);
      /* And it reads back as the same person. */
      g_assert_true (postier_parse_identity (identity, &name, &address, NULL));
      g_assert_cmpstr (address, ==, expected_address);
    }
}

static void
test_security_for_port (void)
{
  PostierSecurity security = POSTIER_SECURITY_NONE;

  g_assert_true (postier_autoconfig_security_for_port (465, &security));
  g_assert_cmpint (security, ==, POSTIER_SECURITY_TLS);
  g_assert_true (postier_autoconfig_security_for_port (587, &security));
  g_assert_cmpint (security, ==, POSTIER_SECURITY_STARTTLS);
  g_assert_false (postier_autoconfig_security_for_port (25, &security));
  g_assert_cmpint (security, ==, POSTIER_SECURITY_STARTTLS);

  /* And the other way round, as core's account defaults have it. */
  g_assert_cmpuint (postier_security_default_port (POSTIER_SECURITY_TLS), ==, 465);
  g_assert_cmpuint (postier_security_default_port (POSTIER_SECURITY_STARTTLS), ==, 587);
}

static void
test_host_in_domain (void)
{
  g_assert_true (postier_autoconfig_host_in_domain ("smtp.example.org", "example.org"));
  g_assert_true (postier_autoconfig_host_in_domain ("SMTP.Example.Org.", "example.org"));
  g_assert_true (postier_autoconfig_host_in_domain ("example.org", "example.org."));
  /* A look-alike that merely ends with the same letters is outside. */
  g_assert_false (postier_autoconfig_host_in_domain ("evilexample.org", "example.org"));
  g_assert_false (postier_autoconfig_host_in_domain ("relay.provider.example", "example.org"));
  g_assert_false (postier_autoconfig_host_in_domain ("smtp.example.org", ""));
}

static void
test_choose (void)
{
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_autofree char *host = NULL;
  guint port = 0;
  PostierSecurity security = POSTIER_SECURITY_NONE;
  GList *implicit, *upgrade;

  resolver->zone = zone;

  implicit = answer (resolver, "_submissions._tcp.both.example");
  upgrade = answer (resolver, "_submission._tcp.both.example");
  g_assert_true (postier_autoconfig_choose (implicit, upgrade, &host, &port, &security));
  g_assert_cmpstr (host, ==, "smtps.both.example");
  g_assert_cmpuint (port, ==, 465);
  g_assert_cmpint (security, ==, POSTIER_SECURITY_TLS);
  g_clear_pointer (&host, g_free);

  /* Without the implicit TLS answer, STARTTLS is what remains. */
  g_assert_true (postier_autoconfig_choose (NULL, upgrade, &host, &port, &security));
  g_assert_cmpstr (host, ==, "smtp.both.example");
  g_assert_cmpuint (port, ==, 587);
  g_assert_cmpint (security, ==, POSTIER_SECURITY_STARTTLS);
  g_clear_pointer (&host, g_free);
  g_list_free_full (implicit, (GDestroyNotify) g_srv_target_free);
  g_list_free_full (upgrade, (GDestroyNotify) g_srv_target_free);

  /* The domain's priorities decide across services. */
  implicit = answer (resolver, "_submissions._tcp.prio.example");
  upgrade = answer (resolver, "_submission._tcp.prio.example");
  g_assert_true (postier_autoconfig_choose (implicit, upgrade, &host, &port, &security));
  g_assert_cmpstr (host, ==, "plain.prio.example");
  g_assert_cmpuint (port, ==, 2587);
  g_assert_cmpint (security, ==, POSTIER_SECURITY_STARTTLS);
  g_clear_pointer (&host, g_free);
  g_list_free_full (implicit, (GDestroyNotify) g_srv_target_free);
  g_list_free_full (upgrade, (GDestroyNotify) g_srv_target_free);

  g_assert_false (postier_autoconfig_choose (NULL, NULL, &host, &port, &security));
  g_assert_null (host);
}

typedef struct {
  GMainLoop       *loop;
  gboolean         ok;
  char            *host;
  guint            port;
  PostierSecurity  security;
  GError          *error;
} LookupResult;

static void
lookup_done (G_GNUC_UNUSED GObject *source,
             GAsyncResult          *result,
             gpointer               user_data)
{
  LookupResult *r = user_data;

  r->ok = postier_autoconfig_lookup_finish (result, &r->host, &r->port, &r->security, &r->error);
  g_main_loop_quit (r->loop);
}

static LookupResult
lookup (GResolver    *resolver,
        const char   *domain,
        GCancellable *cancellable)
{
  LookupResult r = { 0 };

  r.loop = g_main_loop_new (NULL, FALSE);
  postier_autoconfig_lookup_async (resolver, domain, cancellable, lookup_done, &r);
  g_main_loop_run (r.loop);
  g_main_loop_unref (r.loop);
  return r;
}

static void
test_lookup (void)
{
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  LookupResult r;

  resolver->zone = zone;

  r = lookup (G_RESOLVER (resolver), "starttls.example", NULL);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpstr (r.host, ==, "mail.starttls.example");
  g_assert_cmpuint (r.port, ==, 587);
  g_assert_cmpint (r.security, ==, POSTIER_SECURITY_STARTTLS);
  g_free (r.host);
  /* Both services were asked for. */
  g_assert_cmpuint (resolver->n_lookups, ==, 2);

  /* "." says implicit TLS is not offered; the STARTTLS server is proposed,
   * and it lies outside the person's domain, which the page must say. */
  r = lookup (G_RESOLVER (resolver), "dot.example", NULL);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.host, ==, "relay.provider.example");
  g_assert_cmpint (r.security, ==, POSTIER_SECURITY_STARTTLS);
  g_assert_false (postier_autoconfig_host_in_domain (r.host, "dot.example"));
  g_free (r.host);

  r = lookup (G_RESOLVER (resolver), "nothing.example", NULL);
  g_assert_false (r.ok);
  g_assert_error (r.error, POSTIER_ACCOUNT_ERROR, POSTIER_ACCOUNT_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (r.error->message, "nothing.example"));
  g_clear_error (&r.error);
}

static void
test_lookup_cancelled (void)
{
  g_autoptr(TestResolver) resolver = g_object_new (TEST_TYPE_RESOLVER, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  LookupResult r;

  resolver->zone = zone;
  g_cancellable_cancel (cancellable);

  r = lookup (G_RESOLVER (resolver), "both.example", cancellable);
  g_assert_false (r.ok);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (r.host);
  g_clear_error (&r.error);
}

/* RFC 6186 §6: what DNS says may fill the Host field by itself only inside
 * the mail domain; anything else waits for the person (issue 16). */
static void
test_may_fill_host (void)
{
  g_assert_true (postier_autoconfig_may_fill_host ("smtp.example.org", "example.org"));
  g_assert_true (postier_autoconfig_may_fill_host ("SMTP.Example.ORG.", "example.org"));
  g_assert_true (postier_autoconfig_may_fill_host ("example.org", "example.org."));
  g_assert_true (postier_autoconfig_may_fill_host ("a.b.example.org", "example.org"));
  g_assert_false (postier_autoconfig_may_fill_host ("smtp.other.net", "example.org"));
  g_assert_false (postier_autoconfig_may_fill_host ("evilexample.org", "example.org"));
  g_assert_false (postier_autoconfig_may_fill_host ("example.org.evil.net", "example.org"));
  g_assert_false (postier_autoconfig_may_fill_host ("org", "example.org"));
  g_assert_false (postier_autoconfig_may_fill_host ("smtp example.org", "example.org"));
  g_assert_false (postier_autoconfig_may_fill_host ("a/b.example.org", "example.org"));
  g_assert_false (postier_autoconfig_may_fill_host ("smtp.example.org", ""));
  g_assert_false (postier_autoconfig_may_fill_host (NULL, "example.org"));
}

int
main (int   argc,
      char *argv[])
{
  postier_test_init (&argc, &argv);

  g_test_add_func ("/autoconfig/domain-of-address", test_domain_of_address);
  g_test_add_func ("/autoconfig/may-fill-host", test_may_fill_host);
  g_test_add_func ("/autoconfig/format-identity", test_format_identity);
  g_test_add_func ("/autoconfig/security-for-port", test_security_for_port);
  g_test_add_func ("/autoconfig/host-in-domain", test_host_in_domain);
  g_test_add_func ("/autoconfig/choose", test_choose);
  g_test_add_func ("/autoconfig/lookup", test_lookup);
  g_test_add_func ("/autoconfig/lookup-cancelled", test_lookup_cancelled);

  return g_test_run ();
}
