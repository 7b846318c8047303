// The submission of a form that settles something with a reason (Accept as is…, Keep…): the
// reason is required, inline; a form whose metadata rolegate cannot read changes nothing and
// says to click again. Either way the view is acknowledged within Slack's three seconds.
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs } from "@slack/bolt";

type Submission = SlackViewMiddlewareArgs & AllMiddlewareArgs;

/** The person, the reason and the form's metadata, once acknowledged; null when there is nothing to do. */
export async function readReasonSubmission<M>(
  { ack, body, view, client }: Submission,
  form: {
    input: { block: string; action: string };
    read: (privateMetadata: string) => M | null;
    /** Shown under the reason when it is empty. */
    missing: string;
    /** Which button to click again when the form cannot be read. */
    button: string;
  },
): Promise<{ user: string; reason: string; metadata: M } | null> {
  const metadata = form.read(view.private_metadata);
  const reason = view.state.values[form.input.block]?.[form.input.action]?.value ?? "";
  if (metadata && reason.trim() === "") {
    await ack({ response_action: "errors", errors: { [form.input.block]: form.missing } });
    return null;
  }
  await ack();
  const user = body.user.id;
  if (!metadata) {
    await client.chat.postMessage({
      channel: user,
      text: `That form is not one rolegate can read; nothing was changed. Click ${form.button} on the card again.`,
    });
    return null;
  }
  return { user, reason, metadata };
}
