/** A product master data element as the masterData query answers it (only what the explorer shows). */
export interface ProductElement {
  attributes: { id: string; value: unknown }[];
}

/** CBV master data attributes, by their local name after `#` (the query answers them as urn:epcglobal:cbv:mda#<name>). */
const NAME = ['regulatedProductName', 'drugName', 'tradeItemDescription', 'descriptionShort'];

function attribute(element: ProductElement, names: string[]): string | null {
  for (const name of names) {
    const found = element.attributes.find((a) => a.id.endsWith(`#${name}`));
    if (typeof found?.value === 'string' && found.value.trim()) return found.value.trim();
  }
  return null;
}

/**
 * The line the pack view shows under its title from the product's master data: name, strength, dosage form, as the
 * verify answer reads them; null when no element names the product.
 */
export function productLine(elements: ProductElement[]): string | null {
  for (const element of elements) {
    const name = attribute(element, NAME);
    if (!name) continue;
    return [name, attribute(element, ['strengthDescription']), attribute(element, ['dosageFormType'])].filter(Boolean).join(' · ');
  }
  return null;
}
