// The limits Slack enforces on Block Kit, checked the way Slack does: a message or view that
// breaks one is refused whole (invalid_blocks / invalid_arguments). Numbers from Slack's Block
// Kit reference (blocks, block elements, composition objects, surfaces). Every text object is
// checked wherever it sits, so a limit cannot be missed because of where a builder put it.
type Json = Record<string, unknown>;

/** Blocks a surface carries at most. */
export const SURFACE_BLOCKS = { message: 50, modal: 100, home: 100 } as const;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const len = (v: unknown) => (typeof v === "string" ? v.length : 0);

/** A text object: `{type: plain_text | mrkdwn, text}`, 1 to `max` characters. */
function textProblems(text: unknown, at: string, max: number, plainOnly = false): string[] {
  if (!isObject(text)) return [`${at} is not a text object`];
  if (text.type !== "plain_text" && text.type !== "mrkdwn")
    return [`${at}.type is ${String(text.type)}; a text object is plain_text or mrkdwn`];
  if (plainOnly && text.type !== "plain_text") return [`${at} must be plain_text`];
  if (typeof text.text !== "string" || text.text.length === 0)
    return [`${at}.text is empty; Slack needs at least 1 character`];
  if (text.text.length > max) return [`${at}.text is ${text.text.length} characters; at most ${max}`];
  return [];
}

function optionProblems(options: unknown, at: string, max: number): string[] {
  if (!Array.isArray(options)) return [`${at} is not an array`];
  const problems: string[] = [];
  if (options.length > max) problems.push(`${at} has ${options.length} options; at most ${max}`);
  const values = new Set<string>();
  options.forEach((o: unknown, i) => {
    const where = `${at}[${i}]`;
    if (!isObject(o)) return void problems.push(`${where} is not an option`);
    problems.push(...textProblems(o.text, `${where}.text`, 75));
    if (o.description !== undefined) problems.push(...textProblems(o.description, `${where}.description`, 75));
    if (typeof o.value !== "string" || o.value.length === 0 || o.value.length > 150)
      problems.push(`${where}.value must be 1 to 150 characters`);
    else if (values.has(o.value)) problems.push(`${where}.value "${o.value}" repeats another option's`);
    else values.add(o.value);
  });
  return problems;
}

/** An interactive element (button, select, input …); `actionIds` collects ids within its block. */
function elementProblems(element: unknown, at: string, actionIds: Set<string>): string[] {
  if (!isObject(element)) return [`${at} is not an element`];
  const problems: string[] = [];
  const type = String(element.type);
  if (element.action_id !== undefined) {
    const id = element.action_id;
    if (typeof id !== "string" || id.length === 0 || id.length > 255)
      problems.push(`${at}.action_id must be 1 to 255 characters`);
    else if (actionIds.has(id)) problems.push(`${at}.action_id "${id}" is not unique within its block`);
    else actionIds.add(id);
  }
  switch (type) {
    case "button":
      problems.push(...textProblems(element.text, `${at}.text`, 75, true));
      if (element.value !== undefined && (typeof element.value !== "string" || element.value.length > 2000))
        problems.push(`${at}.value over 2000 characters`);
      if (len(element.url) > 3000) problems.push(`${at}.url over 3000 characters`);
      break;
    case "static_select":
    case "multi_static_select":
      if (element.options !== undefined) problems.push(...optionProblems(element.options, `${at}.options`, 100));
      if (element.options === undefined && element.option_groups === undefined)
        problems.push(`${at} has neither options nor option_groups`);
      break;
    case "checkboxes":
    case "radio_buttons":
      problems.push(...optionProblems(element.options, `${at}.options`, 10));
      break;
    case "overflow":
      problems.push(...optionProblems(element.options, `${at}.options`, 5));
      break;
    case "plain_text_input":
      if (typeof element.max_length === "number" && element.max_length > 3000)
        problems.push(`${at}.max_length over 3000`);
      if (len(element.initial_value) > 3000) problems.push(`${at}.initial_value over 3000 characters`);
      break;
    case "image":
      if (len(element.alt_text) > 2000) problems.push(`${at}.alt_text over 2000 characters`);
      break;
  }
  if (element.placeholder !== undefined)
    problems.push(...textProblems(element.placeholder, `${at}.placeholder`, 150, true));
  if (element.confirm !== undefined) problems.push(...confirmProblems(element.confirm, `${at}.confirm`));
  return problems;
}

/** A confirmation dialog: a plain title (100), text (300), and confirm and deny labels (30 each). */
function confirmProblems(confirm: unknown, at: string): string[] {
  if (!isObject(confirm)) return [`${at} is not a confirmation dialog`];
  return [
    ...textProblems(confirm.title, `${at}.title`, 100, true),
    ...textProblems(confirm.text, `${at}.text`, 300),
    ...textProblems(confirm.confirm, `${at}.confirm`, 30, true),
    ...textProblems(confirm.deny, `${at}.deny`, 30, true),
  ];
}

function blockProblemsAt(block: unknown, at: string): string[] {
  if (!isObject(block)) return [`${at} is not a block`];
  const problems: string[] = [];
  const actionIds = new Set<string>();
  switch (block.type) {
    case "section": {
      if (block.text === undefined && block.fields === undefined) problems.push(`${at} has neither text nor fields`);
      if (block.text !== undefined) problems.push(...textProblems(block.text, `${at}.text`, 3000));
      if (block.fields !== undefined) {
        const fields = Array.isArray(block.fields) ? block.fields : [];
        if (fields.length > 10) problems.push(`${at} has ${fields.length} fields; at most 10`);
        fields.forEach((f: unknown, j) => problems.push(...textProblems(f, `${at}.fields[${j}]`, 2000)));
      }
      if (block.accessory !== undefined)
        problems.push(...elementProblems(block.accessory, `${at}.accessory`, actionIds));
      break;
    }
    case "header":
      problems.push(...textProblems(block.text, `${at}.text`, 150, true));
      break;
    case "context": {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > 10)
        problems.push(`${at} has ${elements.length} elements; 1 to 10`);
      elements.forEach((e: unknown, j) => {
        if (isObject(e) && e.type === "image") problems.push(...elementProblems(e, `${at}.elements[${j}]`, actionIds));
        else problems.push(...textProblems(e, `${at}.elements[${j}]`, 3000));
      });
      break;
    }
    case "actions": {
      const elements = Array.isArray(block.elements) ? block.elements : [];
      if (elements.length === 0 || elements.length > 25)
        problems.push(`${at} has ${elements.length} elements; 1 to 25`);
      elements.forEach((e: unknown, j) => problems.push(...elementProblems(e, `${at}.elements[${j}]`, actionIds)));
      break;
    }
    case "input":
      problems.push(...textProblems(block.label, `${at}.label`, 2000, true));
      if (block.hint !== undefined) problems.push(...textProblems(block.hint, `${at}.hint`, 2000, true));
      problems.push(...elementProblems(block.element, `${at}.element`, actionIds));
      break;
    case "divider":
      break;
    default:
      problems.push(`${at} is a ${String(block.type)} block, which rolegate does not build`);
  }
  return problems;
}

/** What Slack would refuse in a list of blocks for a surface holding at most `maxBlocks`. */
export function blockProblems(blocks: unknown, maxBlocks: number): string[] {
  if (!Array.isArray(blocks)) return ["blocks is not an array"];
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks; at most ${maxBlocks}`);
  const blockIds = new Set<string>();
  blocks.forEach((raw: unknown, i) => {
    const at = `blocks[${i}] (${isObject(raw) ? String(raw.type) : typeof raw})`;
    if (isObject(raw) && raw.block_id !== undefined) {
      const id = raw.block_id;
      if (typeof id !== "string" || id.length === 0 || id.length > 255)
        problems.push(`${at}.block_id must be 1 to 255 characters`);
      else if (blockIds.has(id)) problems.push(`${at}.block_id "${id}" is not unique within the message`);
      else blockIds.add(id);
    }
    problems.push(...blockProblemsAt(raw, at));
  });
  return problems;
}

/** What Slack would refuse in a modal or Home tab view. */
export function viewProblems(view: unknown): string[] {
  if (!isObject(view)) return ["view is not an object"];
  const problems = blockProblems(view.blocks, view.type === "home" ? SURFACE_BLOCKS.home : SURFACE_BLOCKS.modal);
  if (view.type === "modal") {
    problems.push(...textProblems(view.title, "view.title", 24, true));
    for (const key of ["submit", "close"] as const)
      if (view[key] !== undefined) problems.push(...textProblems(view[key], `view.${key}`, 24, true));
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b: unknown) => isObject(b) && b.type === "input");
    if (hasInput && view.submit === undefined) problems.push("a modal with input blocks needs a submit button");
  }
  if (len(view.private_metadata) > 3000)
    problems.push(`private_metadata is ${len(view.private_metadata)} characters; at most 3000`);
  if (len(view.callback_id) > 255) problems.push("callback_id over 255 characters");
  if (len(view.external_id) > 255) problems.push("external_id over 255 characters");
  return problems;
}
