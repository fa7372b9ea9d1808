/* tether-forward-spec-private.h: the forward parser as the ssh_config reader uses it. */
#pragma once

#include "tether-forward-spec.h"

G_BEGIN_DECLS

/* Parses the words of a LocalForward, RemoteForward or DynamicForward line as OpenSSH's
 * readconf.c does: two words join into one spec, one word of a RemoteForward is a SOCKS proxy.
 * LENIENT accepts what ssh accepts and Tether does not forward (Unix sockets, an empty
 * destination host); without it this is tether_forward_spec_parse (). */
TetherForwardSpec *_tether_forward_spec_parse_args (TetherForwardKind    kind,
                                                    const char * const  *args,
                                                    gboolean             lenient,
                                                    GError             **error);

/* The forward as `ssh -G` prints it: `[bind]:port [host]:port`, `port`, or socket paths. */
char              *_tether_forward_spec_to_ssh_g   (const TetherForwardSpec *self);

G_END_DECLS
