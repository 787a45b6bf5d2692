// The rich-text editor (django-prose-editor) on every <textarea data-richtext>.
// Imported by its static path rather than through django-prose-editor's inline import map, which
// the Content Security Policy refuses; the toolbar offers exactly what portal/richtext.py keeps.
import {
  Blockquote,
  Bold,
  BulletList,
  Document,
  Editor,
  HardBreak,
  Heading,
  History,
  Italic,
  Link,
  ListItem,
  Menu,
  OrderedList,
  Paragraph,
  Text,
  initializeEditors,
} from "../django_prose_editor/editor.js"

const EXTENSIONS = [
  Document,
  Paragraph,
  Text,
  HardBreak,
  Bold,
  Italic,
  Link.configure({ protocols: ["http", "https", "mailto"], enableTarget: false }),
  BulletList,
  OrderedList,
  ListItem,
  Heading.configure({ levels: [2, 3, 4] }),
  Blockquote,
  History,
  Menu,
]

function isEmpty(html) {
  return /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html)
}

// The editable area is what screen readers meet, not the hidden textarea: give it the textarea's
// label and description (WCAG 4.1.2; axe-core's aria-input-field-name).
function accessibleAttributes(textarea) {
  const attributes = { "aria-multiline": "true" }
  const label = textarea.id && document.querySelector(`label[for="${textarea.id}"]`)
  if (label) {
    if (!label.id) label.id = `${textarea.id}_label`
    attributes["aria-labelledby"] = label.id
  }
  const description = textarea.getAttribute("aria-describedby")
  if (description) attributes["aria-describedby"] = description
  if (textarea.getAttribute("aria-invalid")) attributes["aria-invalid"] = textarea.getAttribute("aria-invalid")
  return attributes
}

function createEditor(textarea) {
  if (textarea.closest(".prose-editor")) return null
  const disabled = textarea.hasAttribute("disabled")
  const element = document.createElement("div")
  element.className = disabled ? "prose-editor disabled" : "prose-editor"
  textarea.before(element)
  element.append(textarea)
  return new Editor({
    element,
    editable: !disabled,
    extensions: EXTENSIONS,
    content: textarea.value,
    // Tiptap would add its base styles as an inline <style>, which the policy refuses:
    // static/css/richtext.css carries them.
    injectCSS: false,
    editorProps: { attributes: accessibleAttributes(textarea) },
    onUpdate({ editor }) {
      const html = editor.getHTML()
      textarea.value = isEmpty(html) ? "" : html
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
  })
}

initializeEditors(createEditor, "textarea[data-richtext]")
