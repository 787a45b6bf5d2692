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
    onUpdate({ editor }) {
      const html = editor.getHTML()
      textarea.value = isEmpty(html) ? "" : html
      textarea.dispatchEvent(new Event("input", { bubbles: true }))
    },
  })
}

initializeEditors(createEditor, "textarea[data-richtext]")
