/**
 * An XML `EPCISMasterData` element (EPCIS 1.2 and 2.0 alike, under `EPCISHeader/extension`) → the EPCIS 2.0 JSON-LD
 * `vocabularyList`, so master data read from XML is checked and stored by the same code as JSON-LD's (master-data.ts).
 */
import { type JsonObject, mapXmlExtension, NamespaceScope, type XmlElement } from './xml-element.mapper';
import type { EpcisXmlVersion } from './xml-event.parser';

/** The binding's own elements are unqualified; `<extension>` wrappers are seen through, as in events. */
function children(node: XmlElement, local: string): XmlElement[] {
  return node.children.flatMap((child) => {
    if (child.uri !== '') return [];
    if (child.local === 'extension') return children(child, local);
    return child.local === local ? [child] : [];
  });
}

/** `{ [key]: value }` of an unqualified XML attribute, or nothing when it is absent. */
function attributeOf(node: XmlElement, name: string, key = name): JsonObject {
  const value = node.attributes.find((a) => a.uri === '' && a.local === name)?.value;
  return value === undefined ? {} : { [key]: value };
}

/**
 * An attribute's value: its text, or its elements as an extension element maps (an address, a structure); prefixes
 * the elements bind themselves travel in the value's own `@context`, so the value reads the same on its own.
 */
function attributeValue(node: XmlElement, namespaces: Readonly<Record<string, string>>, version: EpcisXmlVersion): unknown {
  if (node.children.length === 0) return node.text.trim();
  const scope = new NamespaceScope(namespaces);
  const value = mapXmlExtension({ ...node, attributes: [] }, scope, version);
  return Object.keys(scope.declared).length && value !== null && typeof value === 'object'
    ? { '@context': scope.declared, ...(value as JsonObject) }
    : value;
}

/** Attributes missing from the XML (a VocabularyElement without id) stay absent, for readMasterData to name. */
export function mapXmlMasterData(
  masterData: XmlElement,
  namespaces: Readonly<Record<string, string>>,
  version: EpcisXmlVersion,
): JsonObject[] {
  return children(masterData, 'VocabularyList')
    .flatMap((list) => children(list, 'Vocabulary'))
    .map((vocabulary) => ({
      ...attributeOf(vocabulary, 'type'),
      vocabularyElementList: children(vocabulary, 'VocabularyElementList')
        .flatMap((list) => children(list, 'VocabularyElement'))
        .map((element) => {
          const kids = children(element, 'children').flatMap((list) => children(list, 'id').map((id) => id.text.trim()));
          return {
            ...attributeOf(element, 'id'),
            attributes: children(element, 'attribute').map((attribute) => ({
              ...attributeOf(attribute, 'id'),
              attribute: attributeValue(attribute, namespaces, version),
            })),
            ...(kids.length ? { children: kids } : {}),
          };
        }),
    }));
}
