/* postier-deliverability-group.h — "Will it arrive?" for a captured message:
 * the sender domain's records for the relay that would send it, and
 * SpamAssassin's score, both worked out in the background
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "postier-account-store.h"

G_BEGIN_DECLS

#define POSTIER_TYPE_DELIVERABILITY_GROUP (postier_deliverability_group_get_type ())
G_DECLARE_FINAL_TYPE (PostierDeliverabilityGroup, postier_deliverability_group,
                      POSTIER, DELIVERABILITY_GROUP, AdwPreferencesGroup)

/* Checks MESSAGE (raw bytes) sent From FROM, through the relay of the
 * account that owns that address (else the default real account). Any
 * check still running for the previous message is cancelled. */
void        postier_deliverability_group_show   (PostierDeliverabilityGroup *self,
                                                 GBytes                     *message,
                                                 const char                 *from,
                                                 PostierAccountStore        *accounts);
/* Only the sender domain's findings, for an account: IDENTITY is its From,
 * RELAY_HOST its server (the account editor, after Test Connection). */
void        postier_deliverability_group_show_domain (PostierDeliverabilityGroup *self,
                                                      const char                 *identity,
                                                      const char                 *relay_host);
/* The text of every row, for tests; empty while nothing is known. */
char       *postier_deliverability_group_dup_text (PostierDeliverabilityGroup *self);
/* Whether both checks have finished for the message shown. */
gboolean    postier_deliverability_group_is_done (PostierDeliverabilityGroup *self);

G_END_DECLS
