import type { DataClass } from '@writ/claims';

export interface ActionFacts {
  tool: string;
  resource?: string;
  data_class?: DataClass;
}

/** `detail` of an action event: what was attempted, flat. */
export function actionDetail(action: ActionFacts): Record<string, string> {
  return {
    tool: action.tool,
    ...(action.resource !== undefined ? { resource: action.resource } : {}),
    ...(action.data_class !== undefined ? { data_class: action.data_class } : {}),
  };
}
