/* postier-goa-private.h — what postier-goa*.c share, with libgoa's types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#define GOA_API_IS_SUBJECT_TO_CHANGE
#include <goa/goa.h>

#include "postier-goa.h"

G_BEGIN_DECLS

/* OBJECT as a mail account: NULL when it has no Mail interface, mail is
 * turned off, or it has no SMTP. */
PostierGoaMailAccount *_postier_goa_mail_account_from_object (GoaObject *object);

G_END_DECLS
