"""The press: press releases composed from journaled events (GAME_RULES.md section 4).

``greatwork.press.compose.compose`` turns a batch of events into drafts worded by
``press.yaml``; ``greatwork.press.render.gazette_text`` renders one digest's Gazette for the
terminal; ``greatwork.press.item`` holds the draft and item records. The package imports
nothing itself, so the content loader can read ``greatwork.press.occasions`` cheaply.
"""
