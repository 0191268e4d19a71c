/* postier-recipient-batch.c — one thread per domain, a deadline, and
 * nothing waited for beyond it
 *
 * The batch is shared by the caller and its threads and freed by whichever
 * lets go last, so a thread still waiting on the DNS after the deadline
 * finds it alive when it answers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "postier-recipient-batch.h"
#include "postier-recipient-check.h"

/* A message to hundreds of domains (a mailing) gets the first few checked;
 * a thread each beyond that would cost more than the warning is worth. */
#define MAX_DOMAINS 16

struct _PostierRecipientBatch {
  gint                          refs;
  GMutex                        lock;
  GCond                         done;
  guint                         pending;
  GPtrArray                    *domains;  /* char * */
  char                        **known_domains;
  PostierRecipientDomainCheck **checks;   /* by domain; NULL until answered */
};

typedef struct {
  PostierRecipientBatch *batch;
  guint                  index;
} Job;

static void
batch_unref (PostierRecipientBatch *batch)
{
  if (!g_atomic_int_dec_and_test (&batch->refs))
    return;
  for (guint i = 0; i < batch->domains->len; i++)
    postier_recipient_domain_check_free (batch->checks[i]);
  g_free (batch->checks);
  g_ptr_array_unref (batch->domains);
  g_strfreev (batch->known_domains);
  g_mutex_clear (&batch->lock);
  g_cond_clear (&batch->done);
  g_free (batch);
}

static gpointer
check_one (gpointer data)
{
  Job *job = data;
  PostierRecipientBatch *batch = job->batch;
  PostierRecipientDomainCheck *check =
    postier_recipient_domain_check (g_ptr_array_index (batch->domains, job->index),
                                    (const char * const *) batch->known_domains, NULL);

  g_mutex_lock (&batch->lock);
  batch->checks[job->index] = check;
  batch->pending--;
  g_cond_signal (&batch->done);
  g_mutex_unlock (&batch->lock);
  batch_unref (batch);
  g_free (job);
  return NULL;
}

static gboolean
worth_asking (const char *domain)
{
  /* "localhost", an intranet's single label, an address literal. */
  return *domain != '\0' && domain[0] != '[' && strchr (domain, '.') != NULL;
}

PostierRecipientBatch *
postier_recipient_batch_start (const char * const *addresses,
                               const char * const *known_domains)
{
  PostierRecipientBatch *batch = g_new0 (PostierRecipientBatch, 1);

  g_atomic_int_set (&batch->refs, 1);
  g_mutex_init (&batch->lock);
  g_cond_init (&batch->done);
  batch->domains = g_ptr_array_new_with_free_func (g_free);
  batch->known_domains = g_strdupv ((char **) known_domains);
  for (guint i = 0; addresses != NULL && addresses[i] != NULL && batch->domains->len < MAX_DOMAINS; i++)
    {
      const char *at = strrchr (addresses[i], '@');
      g_autofree char *domain = at != NULL ? g_ascii_strdown (at + 1, -1) : NULL;

      if (domain != NULL && worth_asking (domain) &&
          !g_ptr_array_find_with_equal_func (batch->domains, domain, g_str_equal, NULL))
        g_ptr_array_add (batch->domains, g_steal_pointer (&domain));
    }
  batch->checks = g_new0 (PostierRecipientDomainCheck *, batch->domains->len + 1);

  for (guint i = 0; i < batch->domains->len; i++)
    {
      Job *job = g_new0 (Job, 1);
      GThread *thread;

      job->batch = batch;
      job->index = i;
      g_atomic_int_inc (&batch->refs);
      g_mutex_lock (&batch->lock);
      batch->pending++;
      g_mutex_unlock (&batch->lock);
      thread = g_thread_try_new ("postier-rcpt", check_one, job, NULL);
      if (thread != NULL)
        g_thread_unref (thread);
      else
        {
          /* No thread, no check: the message went anyway. */
          g_mutex_lock (&batch->lock);
          batch->pending--;
          g_mutex_unlock (&batch->lock);
          (void) g_atomic_int_dec_and_test (&batch->refs);
          g_free (job);
        }
    }
  return batch;
}

GStrv
postier_recipient_batch_finish (PostierRecipientBatch *batch,
                                gint64                 deadline)
{
  g_autoptr(GStrvBuilder) warnings = g_strv_builder_new ();

  g_return_val_if_fail (batch != NULL, NULL);

  g_mutex_lock (&batch->lock);
  while (batch->pending > 0)
    if (!g_cond_wait_until (&batch->done, &batch->lock, deadline))
      break;
  for (guint i = 0; i < batch->domains->len; i++)
    if (batch->checks[i] != NULL && batch->checks[i]->warning != NULL)
      g_strv_builder_add (warnings, batch->checks[i]->warning);
  g_mutex_unlock (&batch->lock);
  batch_unref (batch);
  return g_strv_builder_end (warnings);
}
