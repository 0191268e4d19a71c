/* postier-application-private.h — what the application's aspects share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "postier-application.h"
#include "postier-submitter.h"

G_BEGIN_DECLS

struct _PostierApplication
{
  AdwApplication       parent_instance;

  PostierAccountStore *accounts;
  PostierOutbox       *outbox;
  PostierAddressBook  *address_book;
  PostierSubmitter    *submitter;

  /* Delivery (postier-application-delivery.c). */
  gboolean             held_for_outbox;   /* pending mail keeps us running */
  gboolean             went_offline;      /* mail waited for the network */
  guint                pending_check;
  guint                pending_serial;    /* of the newest count of pending mail */
  gboolean             pending_counting;  /* a count is on its way */
  gboolean             pending_again;     /* …and something changed since it began */
  gint64               pending_started;   /* monotonic µs the last count began */
};

/* postier-application-delivery.c */
void _postier_application_start_delivery (PostierApplication *self);
void _postier_application_stop_delivery  (PostierApplication *self);
/* Windows came or went: decide whether pending mail must keep us alive. */
void _postier_application_check_pending  (PostierApplication *self);
/* The same, at once. */
void _postier_application_update_hold    (PostierApplication *self);
/* Whether waiting mail holds the application (tests). */
gboolean _postier_application_is_holding (PostierApplication *self);

G_END_DECLS
