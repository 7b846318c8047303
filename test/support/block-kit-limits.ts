// The limits Slack enforces on Block Kit, checked the way Slack does: a message or view that
// breaks one is refused whole (invalid_blocks / invalid_arguments). Numbers from Slack's
// Block Kit reference.
type Json = Record<string, unknown>;

const TEXT_LIMIT: Record<string, number> = { section: 3000, header: 150, context: 2000 };

export function blockProblems(blocks: unknown, maxBlocks: number): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ["blocks is not an array"];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks; at most ${maxBlocks}`);
  blocks.forEach((raw, i) => {
    const block = raw as Json;
    const at = `blocks[${i}] (${String(block.type)})`;
    const text = block.text as Json | undefined;
    const limit = TEXT_LIMIT[String(block.type)];
    if (text && limit && String(text.text).length > limit) problems.push(`${at}.text is ${String(text.text).length} characters; at most ${limit}`);
    if (text && String(text.text).length === 0) problems.push(`${at}.text is empty`);
    const fields = block.fields as Json[] | undefined;
    if (fields) {
      if (fields.length > 10) problems.push(`${at} has ${fields.length} fields; at most 10`);
      fields.forEach((f, j) => String(f.text).length > 2000 && problems.push(`${at}.fields[${j}] is over 2000 characters`));
    }
    const elements = block.elements as Json[] | undefined;
    if (elements) {
      if (block.type === "context" && elements.length > 10) problems.push(`${at} has ${elements.length} elements; at most 10`);
      elements.forEach((e, j) => {
        if (e.type === "button" && String((e.text as Json).text).length > 75) problems.push(`${at}.elements[${j}] button text over 75`);
        if (e.type === "mrkdwn" && String(e.text).length > 2000) problems.push(`${at}.elements[${j}] text over 2000`);
        if (typeof e.value === "string" && e.value.length > 2000) problems.push(`${at}.elements[${j}] value over 2000`);
      });
    }
    const element = block.element as Json | undefined;
    const options = (element?.options ?? []) as Json[];
    if (options.length > 100) problems.push(`${at} has ${options.length} options; at most 100`);
    options.forEach((o, j) => String((o.text as Json).text).length > 75 && problems.push(`${at} option ${j} text over 75`));
    const label = block.label as Json | undefined;
    if (label && String(label.text).length > 2000) problems.push(`${at}.label over 2000`);
  });
  return problems;
}

export function viewProblems(view: unknown): string[] {
  const v = view as Json;
  const problems = blockProblems(v.blocks, 100);
  for (const key of ["title", "submit", "close"] as const) {
    const text = (v[key] as Json | undefined)?.text;
    if (typeof text === "string" && text.length > 24) problems.push(`view.${key} is ${text.length} characters; at most 24`);
  }
  if (typeof v.private_metadata === "string" && v.private_metadata.length > 3000) problems.push("private_metadata over 3000");
  return problems;
}
