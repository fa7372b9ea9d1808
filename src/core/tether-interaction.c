/* tether-interaction.c: prompts of the connection service, after GTlsInteraction.
 *
 * The base class answers nothing: unknown and changed host keys are
 * rejected and password prompts are cancelled, so only non-interactive
 * authentication works. Subclasses override the synchronous vfuncs (tests,
 * Python scripts) or the asynchronous ones (the app's dialogs); the default
 * asynchronous implementations call the synchronous ones on the calling
 * thread, which is the thread that created the connection.
 */
#include "config.h"

#include "tether-error.h"
#include "tether-interaction.h"

/**
 * TetherInteraction:
 *
 * The questions a [class@Tether.Connection] may ask its user, modelled on
 * [class@Gio.TlsInteraction]: accept an unknown or changed host key, a password, a
 * key passphrase, keyboard-interactive prompts.
 *
 * The base class answers nothing: unknown and changed host keys are refused and
 * prompts are cancelled, so only non-interactive authentication (agent,
 * unencrypted keys) works. Subclass it and override either the synchronous virtual
 * methods (tests, scripts, Python) or the asynchronous ones (dialogs), then give
 * an instance to [method@Tether.Connection.set_interaction],
 * [method@Tether.HostSession.set_interaction] or
 * [method@Tether.SessionManager.set_interaction]. Callers use the
 * tether_interaction_*_async() wrappers.
 *
 * Threading: every method is called on the thread that created the connection (the
 * UI thread in the app), never on its worker; the default asynchronous
 * implementations call the synchronous ones there.
 */

G_DEFINE_TYPE (TetherInteraction, tether_interaction, G_TYPE_OBJECT)

static TetherHostKeyDecision
real_verify_host_key (TetherInteraction  *self,
                      TetherHostKeyInfo  *info,
                      GCancellable       *cancellable,
                      GError            **error)
{
  return TETHER_HOST_KEY_DECISION_REJECT;
}

static void
real_verify_host_key_async (TetherInteraction   *self,
                            TetherHostKeyInfo   *info,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  TetherHostKeyDecision decision;

  g_task_set_source_tag (task, real_verify_host_key_async);
  g_task_set_name (task, "[tether] verify host key");
  decision = TETHER_INTERACTION_GET_CLASS (self)->verify_host_key (self, info, cancellable,
                                                                    &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, decision);
}

static TetherHostKeyDecision
real_verify_host_key_finish (TetherInteraction  *self,
                             GAsyncResult       *result,
                             GError            **error)
{
  GError *local_error = NULL;
  gssize value = g_task_propagate_int (G_TASK (result), &local_error);

  if (local_error != NULL) {
    g_propagate_error (error, local_error);
    return TETHER_HOST_KEY_DECISION_REJECT;
  }
  return (TetherHostKeyDecision) value;
}

static char *
real_ask_password (TetherInteraction  *self,
                   TetherHost         *host,
                   const char         *user,
                   guint               attempt,
                   GCancellable       *cancellable,
                   GError            **error)
{
  return NULL;
}

/* Returns what a synchronous vfunc answered, or its error, through @task. */
static void
return_answer (GTask          *task,
               gpointer        value,
               GDestroyNotify  value_free,
               GError         *error)
{
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, value_free);
}

static void
real_ask_password_async (TetherInteraction   *self,
                         TetherHost          *host,
                         const char          *user,
                         guint                attempt,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  char *value;

  g_task_set_source_tag (task, real_ask_password_async);
  g_task_set_name (task, "[tether] ask password");
  value = TETHER_INTERACTION_GET_CLASS (self)->ask_password (self, host, user, attempt,
                                                            cancellable, &error);
  return_answer (task, value, g_free, error);
}

static char *
real_string_finish (TetherInteraction  *self,
                    GAsyncResult       *result,
                    GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
real_ask_passphrase (TetherInteraction  *self,
                     const char         *key_file,
                     guint               attempt,
                     GCancellable       *cancellable,
                     GError            **error)
{
  return NULL;
}

static void
real_ask_passphrase_async (TetherInteraction   *self,
                           const char          *key_file,
                           guint                attempt,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  char *value;

  g_task_set_source_tag (task, real_ask_passphrase_async);
  g_task_set_name (task, "[tether] ask passphrase");
  value = TETHER_INTERACTION_GET_CLASS (self)->ask_passphrase (self, key_file, attempt,
                                                              cancellable, &error);
  return_answer (task, value, g_free, error);
}

static char **
real_ask_kbd_interactive (TetherInteraction   *self,
                          const char          *name,
                          const char          *instruction,
                          const char * const  *prompts,
                          guint                echo_mask,
                          GCancellable        *cancellable,
                          GError             **error)
{
  return NULL;
}

static void
real_ask_kbd_interactive_async (TetherInteraction   *self,
                                const char          *name,
                                const char          *instruction,
                                const char * const  *prompts,
                                guint                echo_mask,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  char **answers;

  g_task_set_source_tag (task, real_ask_kbd_interactive_async);
  g_task_set_name (task, "[tether] ask keyboard-interactive");
  answers = TETHER_INTERACTION_GET_CLASS (self)->ask_kbd_interactive (self, name, instruction,
                                                                     prompts, echo_mask,
                                                                     cancellable, &error);
  return_answer (task, answers, (GDestroyNotify) g_strfreev, error);
}

static char **
real_ask_kbd_interactive_finish (TetherInteraction  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
tether_interaction_class_init (TetherInteractionClass *klass)
{
  klass->verify_host_key = real_verify_host_key;
  klass->verify_host_key_async = real_verify_host_key_async;
  klass->verify_host_key_finish = real_verify_host_key_finish;
  klass->ask_password = real_ask_password;
  klass->ask_password_async = real_ask_password_async;
  klass->ask_password_finish = real_string_finish;
  klass->ask_passphrase = real_ask_passphrase;
  klass->ask_passphrase_async = real_ask_passphrase_async;
  klass->ask_passphrase_finish = real_string_finish;
  klass->ask_kbd_interactive = real_ask_kbd_interactive;
  klass->ask_kbd_interactive_async = real_ask_kbd_interactive_async;
  klass->ask_kbd_interactive_finish = real_ask_kbd_interactive_finish;
}

static void
tether_interaction_init (TetherInteraction *self)
{
}

/**
 * tether_interaction_new:
 *
 * Makes an interaction that refuses unknown host keys and answers no prompt.
 *
 * Returns: (transfer full): an interaction that rejects unknown host keys and
 *   answers no prompt
 */
TetherInteraction *
tether_interaction_new (void)
{
  return g_object_new (TETHER_TYPE_INTERACTION, NULL);
}

/**
 * tether_interaction_verify_host_key_async:
 * @self: a #TetherInteraction
 * @info: the host key and its known-hosts status
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the user decided
 * @user_data: data for @callback
 *
 * Asks whether to trust a host key that is unknown or changed.
 */
void
tether_interaction_verify_host_key_async (TetherInteraction   *self,
                                          TetherHostKeyInfo   *info,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_INTERACTION (self));
  g_return_if_fail (TETHER_IS_HOST_KEY_INFO (info));

  TETHER_INTERACTION_GET_CLASS (self)->verify_host_key_async (self, info, cancellable,
                                                             callback, user_data);
}

/**
 * tether_interaction_verify_host_key_finish:
 * @self: a #TetherInteraction
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_interaction_verify_host_key_async().
 *
 * Returns: the decision (%TETHER_HOST_KEY_DECISION_REJECT on error)
 */
TetherHostKeyDecision
tether_interaction_verify_host_key_finish (TetherInteraction  *self,
                                           GAsyncResult       *result,
                                           GError            **error)
{
  g_return_val_if_fail (TETHER_IS_INTERACTION (self), TETHER_HOST_KEY_DECISION_REJECT);

  return TETHER_INTERACTION_GET_CLASS (self)->verify_host_key_finish (self, result, error);
}

/**
 * tether_interaction_ask_password_async:
 * @self: a #TetherInteraction
 * @host: the host being logged in to
 * @user: the login name
 * @attempt: 0 for the first prompt, then 1, 2, ... after wrong passwords
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: data for @callback
 *
 * Asks the password of @user on @host.
 */
void
tether_interaction_ask_password_async (TetherInteraction   *self,
                                       TetherHost          *host,
                                       const char          *user,
                                       guint                attempt,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_INTERACTION (self));

  TETHER_INTERACTION_GET_CLASS (self)->ask_password_async (self, host, user, attempt,
                                                          cancellable, callback, user_data);
}

/**
 * tether_interaction_ask_password_finish:
 * @self: a #TetherInteraction
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_interaction_ask_password_async().
 *
 * Returns: (transfer full) (nullable): the password, or %NULL when the user
 *   declined: the login goes on with the next method (the whole login is
 *   cancelled only through the connect call's #GCancellable)
 */
char *
tether_interaction_ask_password_finish (TetherInteraction  *self,
                                        GAsyncResult       *result,
                                        GError            **error)
{
  g_return_val_if_fail (TETHER_IS_INTERACTION (self), NULL);

  return TETHER_INTERACTION_GET_CLASS (self)->ask_password_finish (self, result, error);
}

/**
 * tether_interaction_ask_passphrase_async:
 * @self: a #TetherInteraction
 * @key_file: (type filename): the encrypted private key
 * @attempt: 0 for the first prompt, then 1, 2, ... after wrong passphrases
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: data for @callback
 *
 * Asks the passphrase of an encrypted private key.
 */
void
tether_interaction_ask_passphrase_async (TetherInteraction   *self,
                                         const char          *key_file,
                                         guint                attempt,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_INTERACTION (self));

  TETHER_INTERACTION_GET_CLASS (self)->ask_passphrase_async (self, key_file, attempt,
                                                            cancellable, callback, user_data);
}

/**
 * tether_interaction_ask_passphrase_finish:
 * @self: a #TetherInteraction
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_interaction_ask_passphrase_async().
 *
 * Returns: (transfer full) (nullable): the passphrase, or %NULL when the user cancelled
 */
char *
tether_interaction_ask_passphrase_finish (TetherInteraction  *self,
                                          GAsyncResult       *result,
                                          GError            **error)
{
  g_return_val_if_fail (TETHER_IS_INTERACTION (self), NULL);

  return TETHER_INTERACTION_GET_CLASS (self)->ask_passphrase_finish (self, result, error);
}

/**
 * tether_interaction_ask_kbd_interactive_async:
 * @self: a #TetherInteraction
 * @name: (nullable): the name the server gave the exchange
 * @instruction: (nullable): the server's instruction text
 * @prompts: (array zero-terminated=1): the prompts
 * @echo_mask: bit i set when the answer to prompt i may be shown as typed
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answers
 * @user_data: data for @callback
 *
 * Asks the answers to a keyboard-interactive round (RFC 4256).
 */
void
tether_interaction_ask_kbd_interactive_async (TetherInteraction   *self,
                                              const char          *name,
                                              const char          *instruction,
                                              const char * const  *prompts,
                                              guint                echo_mask,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_INTERACTION (self));
  g_return_if_fail (prompts != NULL);

  TETHER_INTERACTION_GET_CLASS (self)->ask_kbd_interactive_async (self, name, instruction,
                                                                 prompts, echo_mask,
                                                                 cancellable, callback,
                                                                 user_data);
}

/**
 * tether_interaction_ask_kbd_interactive_finish:
 * @self: a #TetherInteraction
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_interaction_ask_kbd_interactive_async().
 *
 * Returns: (transfer full) (nullable) (array zero-terminated=1): one answer per
 *   prompt, or %NULL when the user declined: the login goes on with the next
 *   method (the whole login is cancelled only through the connect call's
 *   #GCancellable)
 */
char **
tether_interaction_ask_kbd_interactive_finish (TetherInteraction  *self,
                                               GAsyncResult       *result,
                                               GError            **error)
{
  g_return_val_if_fail (TETHER_IS_INTERACTION (self), NULL);

  return TETHER_INTERACTION_GET_CLASS (self)->ask_kbd_interactive_finish (self, result, error);
}
