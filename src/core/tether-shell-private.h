/* tether-shell-private.h: what TetherHostSession uses to make and start shells. */
#pragma once

#include "tether-shell.h"

G_BEGIN_DECLS

TetherShell *_tether_shell_new          (TetherHostSession   *session,
                                         const char          *term,
                                         guint                cols,
                                         guint                rows,
                                         const char * const  *env);
void         _tether_shell_start_async  (TetherShell         *self,
                                         TetherConnection    *connection,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean     _tether_shell_start_finish (TetherShell         *self,
                                         GAsyncResult        *result,
                                         GError             **error);

G_END_DECLS
