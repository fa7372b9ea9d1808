/* tether-task.c: returning a GTask from the connection's worker: through
 * the worker's event queue when the task's context is the owner's.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tether-connection-private.h"
#include "tether-enums.h"
#include "tether-error.h"
#include "tether-channel.h"
#include "tether-session-channel.h"

/* Results of tasks whose context is the connection's owner's go, from the worker, through
 * the worker's event queue, in order with the signals it posts: an open's result comes
 * before its channel's ::closed, a close's result before ::closed, a read's before ::eof.
 * (GTask would otherwise complete them from an idle of its own, in no set order.) */
typedef enum {
  RESULT_ERROR,
  RESULT_BOOLEAN,
  RESULT_INT,
  RESULT_POINTER,
} ResultKind;

typedef struct
{
  ResultKind kind;
  GError *error;
  gssize value;
  gpointer pointer;
  GDestroyNotify pointer_free;
} TaskResult;

static void
task_result_free (TaskResult *result)
{
  g_clear_error (&result->error);
  if (result->pointer != NULL && result->pointer_free != NULL)
    result->pointer_free (result->pointer);
  g_free (result);
}

static void
return_result (GTask      *task,
               TaskResult *result)
{
  switch (result->kind) {
  case RESULT_ERROR:
    g_task_return_error (task, g_steal_pointer (&result->error));
    break;
  case RESULT_BOOLEAN:
    g_task_return_boolean (task, result->value != 0);
    break;
  case RESULT_INT:
    g_task_return_int (task, result->value);
    break;
  case RESULT_POINTER:
    g_task_return_pointer (task, g_steal_pointer (&result->pointer), result->pointer_free);
    break;
  default:
    g_assert_not_reached ();
  }
}

/* Returns @result on *@task's context and drops *@task; takes @result. */
static void
return_task (GTask      **task,
             TaskResult  *result)
{
  g_autoptr(GTask) t = g_steal_pointer (task);
  TetherWorker *worker = _tether_worker_get_current ();

  if (worker != NULL && g_task_get_context (t) == _tether_worker_get_owner_context (worker)) {
    _tether_worker_post (worker, G_CALLBACK (return_result), t, result,
                         (GDestroyNotify) task_result_free);
    return;
  }
  return_result (t, result);
  task_result_free (result);
}

static TaskResult *
task_result_new (ResultKind kind)
{
  TaskResult *result = g_new0 (TaskResult, 1);

  result->kind = kind;
  return result;
}

void
_tether_task_return_error (GTask  **task,
                           GError  *error)
{
  TaskResult *result = task_result_new (RESULT_ERROR);

  result->error = error;
  return_task (task, result);
}

void
_tether_task_return_new_error (GTask      **task,
                               GQuark       domain,
                               int          code,
                               const char  *format,
                               ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  _tether_task_return_error (task, error);
}

static void
return_value (GTask      **task,
              ResultKind   kind,
              gssize       value)
{
  TaskResult *result = task_result_new (kind);

  result->value = value;
  return_task (task, result);
}

void
_tether_task_return_boolean (GTask    **task,
                             gboolean   value)
{
  return_value (task, RESULT_BOOLEAN, value);
}

void
_tether_task_return_int (GTask  **task,
                         gssize   value)
{
  return_value (task, RESULT_INT, value);
}

void
_tether_task_return_pointer (GTask          **task,
                             gpointer         value,
                             GDestroyNotify   value_free)
{
  TaskResult *result = task_result_new (RESULT_POINTER);

  result->pointer = value;
  result->pointer_free = value_free;
  return_task (task, result);
}

void
_tether_context_invoke (GMainContext   *context,
                        GSourceFunc     func,
                        gpointer        data,
                        GDestroyNotify  notify)
{
  GSource *source;

  if (g_main_context_is_owner (context)) {
    while (func (data) == G_SOURCE_CONTINUE)
      ;
    if (notify != NULL)
      notify (data);
    return;
  }
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[tether] invoke");
  g_source_attach (source, context);
  g_source_unref (source);
}

static gboolean
unref_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* For a thread done with an object that the UI watches (a connection, a channel): the last
 * reference, and the finalization with the UI's handlers and bindings, goes on the thread
 * that owns @context, never beside the UI's own work on them. */
void
_tether_context_unref (GMainContext *context,
                       gpointer      object)
{
  if (object != NULL)
    _tether_context_invoke (context, unref_cb, object, NULL);
}
