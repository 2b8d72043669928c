"""A seeded synthetic corpus of ketamine-clinic pages (HTML and Markdown) for benchmarks and tests.

Every sentence here was written for this file. Pages mix plain clinic information, risky claims of
every taxonomy category, hedged wording and the markup real sites carry (navigation, scripts,
styles, entities, comments, tables, links, images), so that both the extractors and the rules do
real work. The same seed always gives the same bytes.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from typing import Callable, Iterator

CLINICS = (
    "Harbor Light Wellness", "Cedar Ridge Ketamine Center", "Blue Heron Infusions", "Northgate Mind Clinic",
    "Stillwater Mental Health", "Summit Infusion Partners", "Lakeside Renewal Clinic", "Evergreen Mood Institute",
    "Copper Valley Ketamine", "Bright Path Infusion Suites", "Riverbend Psychiatry", "Aurora Calm Clinic",
)
CITIES = (
    "Portland", "Austin", "Denver", "Raleigh", "Tucson", "Madison", "Boise", "Richmond", "Omaha", "Spokane",
    "Savannah", "Albany", "Fresno", "Tampa", "Reno", "Burlington",
)
STREETS = ("Alder Street", "Fifth Avenue", "Mill Road", "Lincoln Way", "Harbor Drive", "Oak Park Lane", "Main Street")
CONDITIONS = (
    "depression", "treatment-resistant depression", "PTSD", "anxiety", "OCD", "chronic pain", "bipolar depression",
    "postpartum depression", "migraines", "fibromyalgia", "suicidal thoughts", "addiction",
)
STAFF = ("Dr. Lena Ortiz", "Dr. Samuel Reyes", "Dr. Priya Natarajan", "Dr. Owen Clarke", "Nurse Ava Brooks", "Dr. Mei Tanaka")
TREATMENTS = ("ketamine infusion", "ketamine therapy", "ketamine treatment", "IV ketamine", "ketamine-assisted psychotherapy")

# Plain clinic copy: logistics, process, people.
NEUTRAL = (
    "{clinic} has welcomed patients from across {city} since {year}.",
    "Appointments are available Monday through Saturday, with evening times on Thursdays.",
    "Free parking is available behind our building on {street}.",
    "A typical visit lasts about two hours, including time to rest before you leave.",
    "Please bring a list of every medication and supplement you take to your first consultation.",
    "Insurance rarely covers the infusion itself, although the consultation can sometimes be billed.",
    "Our front desk will confirm your appointment by text two days ahead.",
    "You will need someone to drive you home after each session.",
    "Wear comfortable clothing and eat a light meal at least six hours before your visit.",
    "The treatment rooms have reclining chairs, weighted blankets and noise-cancelling headphones.",
    "We coordinate with your psychiatrist or primary care doctor when you ask us to.",
    "Our intake form takes about fifteen minutes to complete online.",
    "{staff} trained in anesthesiology before joining the team in {year}.",
    "Payment plans are available, and we publish our prices on this page.",
    "Some people choose a series of six sessions over two to three weeks.",
    "Booster sessions are scheduled individually after the first series.",
    "We ask every new patient about their medical history, blood pressure and current prescriptions.",
    "The clinic is on the second floor, and the elevator is to the left of the main entrance.",
    "Telehealth check-ins are offered between in-person visits.",
    "Our staff speak English and Spanish, and interpreters can be arranged for other languages.",
    "If you need to cancel, please let us know at least a day in advance.",
    "A consultation is the first step, and there is no obligation to start treatment.",
    "We keep the lights low and play quiet music during each session.",
    "Integration sessions with a licensed therapist are available after treatment.",
    "Patients receive written aftercare instructions at the end of every visit.",
    "Our newsletter shares clinic news, schedule changes and community events.",
    "The waiting room has water, tea and a small library of books.",
    "Children and teenagers are not treated at this location.",
    "Call {phone} or use the booking form to request a consultation.",
    "We are open on most public holidays, except New Year's Day and Thanksgiving.",
)
# Hedged or compliant wording, including the required caveats.
HEDGED = (
    "Early research suggests ketamine may help some patients whose depression has not improved with other treatments.",
    "Results vary, and ketamine therapy is not right for everyone.",
    "Every infusion is given in our clinic and monitored by a licensed physician or nurse.",
    "Side effects can include nausea, dizziness, raised blood pressure and a feeling of detachment.",
    "Ketamine has abuse potential, so we screen every patient before treatment begins.",
    "Ketamine is not FDA-approved for depression; esketamine nasal spray is approved for specific uses.",
    "If you are thinking about suicide, call or text 988 or go to the nearest emergency room.",
    "Some patients notice changes after a few sessions, while others notice little difference.",
    "Preliminary studies indicate possible benefits for PTSD, but the evidence is still limited.",
    "Your physician will discuss the known risks and the alternatives with you before you decide.",
    "Treatment is given under the supervision of a board-certified anesthesiologist.",
    "Individual results may differ, and no outcome can be promised.",
)
# Risky claims, several per taxonomy category, in wording clinics use.
RISKY = (
    "Ketamine therapy is safe and non-addictive.",
    "Our infusions are completely safe and have no side effects.",
    "Treatment is risk-free and gentle on the body.",
    "Ketamine is a game-changer for people living with {condition}.",
    "Discover the miracle cure that psychiatry has been waiting for.",
    "This revolutionary breakthrough is changing mental health care.",
    "Our cutting-edge, state-of-the-art suite sets a new standard.",
    "Ketamine rapidly alleviates depression in a single afternoon.",
    "Most people feel relief within minutes of their first infusion.",
    "Enjoy long-lasting relief that works when nothing else does.",
    "Ketamine cures depression at its root.",
    "We offer guaranteed results or your next session is free.",
    "Ketamine rewires your brain and promotes the growth of new neurons.",
    "Research has demonstrated that ketamine restores the chemical balance in the brain.",
    "It reduces inflammation in the brain within hours.",
    "We provide FDA-approved ketamine therapy for depression.",
    "Ketamine is an effective treatment for {condition}.",
    "Our therapy eliminates anxiety and treats OCD.",
    "Ketamine can treat a wide range of mental health conditions.",
    "It is more effective than antidepressants and works faster than talk therapy.",
    "This is the world's fastest-acting antidepressant.",
    "Ketamine is 70-80% effective for {condition}.",
    "Our success rate of 85% is the highest in {city}.",
    "Most patients respond after one infusion.",
    "Begin treatment from the comfort of your home with oral tablets delivered to your door.",
    "No clinic visits needed: your kit ships overnight.",
    "Side effects are mild and rare, and any side effects disappear within minutes.",
    "It is generally well tolerated by everyone.",
    "\u201cKetamine saved my life,\u201d says one of our patients.",
    "I felt like myself again after one session.",
    "Our patients call it a miracle.",
    "Antidepressants only mask symptoms, and talk therapy never gets to the root.",
    "Stop wasting years on pills that don't work.",
    "Book your ketamine infusion today and feel better tomorrow.",
)
HEADINGS = (
    "How ketamine treatment works", "What to expect at your first visit", "Who we treat", "Meet our team",
    "Frequently asked questions", "Pricing and payment", "Why patients choose {clinic}", "Safety and monitoring",
    "Conditions we treat", "Patient stories", "Getting here", "Aftercare and integration", "Our approach",
)
NAV = ("Home", "About", "Treatments", "Conditions", "Pricing", "FAQ", "Blog", "Contact")
URL_WORDS = ("ketamine-for-depression", "first-visit", "pricing", "team", "safety", "faq", "contact", "blog/how-it-works")


@dataclass(frozen=True, slots=True)
class PageFacts:
    """What one page is about: filled into the sentence templates."""

    clinic: str
    city: str
    street: str
    staff: str
    condition: str
    year: int
    phone: str


class PageWriter:
    """Writes prose for one page from the sentence pools; `risk` is the share of risky sentences."""

    def __init__(self, rng: random.Random, facts: PageFacts, risk: float):
        self.rng = rng
        self.facts = facts
        self.risk = risk

    def fill(self, template: str) -> str:
        facts = self.facts
        return template.format(
            clinic=facts.clinic, city=facts.city, street=facts.street, staff=self.rng.choice(STAFF),
            condition=self.rng.choice(CONDITIONS), year=facts.year, phone=facts.phone,
        )

    def sentence(self) -> str:
        draw = self.rng.random()
        if draw < self.risk:
            pool = RISKY
        elif draw < self.risk + 0.15:
            pool = HEDGED
        else:
            pool = NEUTRAL
        return self.fill(self.rng.choice(pool))

    def paragraph(self, low: int = 3, high: int = 7) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def heading(self) -> str:
        return self.fill(self.rng.choice(HEADINGS))


def _facts(rng: random.Random) -> PageFacts:
    return PageFacts(
        clinic=rng.choice(CLINICS), city=rng.choice(CITIES), street=rng.choice(STREETS), staff=rng.choice(STAFF),
        condition=rng.choice(CONDITIONS), year=rng.randint(2012, 2024), phone=f"(555) {rng.randint(200, 999)}-{rng.randint(1000, 9999)}",
    )


def _escape_html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html_inline(writer: PageWriter, text: str) -> str:
    """Sprinkle inline markup and entities over escaped prose, between words only."""
    rng = writer.rng
    words = _escape_html(text).split(" ")
    for _ in range(rng.randint(0, 3)):
        if len(words) < 4:
            break
        at = rng.randrange(len(words) - 2)
        style = rng.random()
        if style < 0.35:
            words[at] = f"<strong>{words[at]}"
            words[at + 1] = f"{words[at + 1]}</strong>"
        elif style < 0.6:
            words[at] = f'<a href="/{rng.choice(URL_WORDS)}" class="inline-link">{words[at]}</a>'
        elif style < 0.8:
            words[at] = f"<em>{words[at]}</em>"
        else:
            words[at] = f"{words[at]}&nbsp;"
            words[at + 1] = words[at + 1].lstrip()
    return " ".join(words).replace("&nbsp; ", "&nbsp;").replace("'", "&rsquo;")


_STYLE = """    <style>
      :root { --brand: #2b6f77; --ink: #1d2b36; --paper: #fbfaf7; }
      body { font-family: "Source Sans 3", system-ui, sans-serif; color: var(--ink); background: var(--paper); }
      .hero { padding: 6rem 2rem; background: linear-gradient(120deg, #e7f1ef, #fbfaf7); }
      .card { border-radius: 12px; box-shadow: 0 2px 12px rgba(0, 0, 0, 0.08); padding: 1.5rem; }
      .site-nav a { margin-right: 1.25rem; text-decoration: none; }
      details summary { cursor: pointer; font-weight: 600; }
    </style>
"""
_SCRIPT = """    <script>
      window.dataLayer = window.dataLayer || [];
      function gtag() { dataLayer.push(arguments); }
      gtag("js", new Date());
      document.addEventListener("DOMContentLoaded", function () {
        var toggles = document.querySelectorAll("[data-toggle]");
        for (var i = 0; i < toggles.length; i++) {
          toggles[i].addEventListener("click", function (event) { event.target.classList.toggle("open"); });
        }
      });
    </script>
"""


def html_page(rng: random.Random, target: int, risk: float) -> str:
    """One clinic page as HTML of about `target` characters."""
    facts = _facts(rng)
    writer = PageWriter(rng, facts, risk)
    title = f"{rng.choice(TREATMENTS).title()} in {facts.city} | {facts.clinic}"
    description = writer.sentence().replace('"', "&quot;")
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "  <head>",
        '    <meta charset="utf-8">',
        '    <meta name="viewport" content="width=device-width, initial-scale=1">',
        f"    <title>{_escape_html(title)}</title>",
        f'    <meta name="description" content="{description}">',
        f'    <meta property="og:title" content="{_escape_html(facts.clinic)}">',
        '    <link rel="stylesheet" href="/assets/site.css">',
        _STYLE.rstrip("\n"),
        '    <script type="application/ld+json">{"@context": "https://schema.org", "@type": "MedicalClinic", '
        f'"name": "{facts.clinic}", "address": {{"addressLocality": "{facts.city}"}}}}</script>',
        "  </head>",
        "  <body>",
        '    <header class="site-header">',
        '      <nav class="site-nav" aria-label="Main">',
        "        <ul>",
        *[f'          <li><a href="/{item.lower()}">{item}</a></li>' for item in NAV],
        "        </ul>",
        "      </nav>",
        "    </header>",
        '    <main id="content">',
        '      <section class="hero">',
        f"        <h1>{_escape_html(writer.heading())}</h1>",
        f"        <p class=\"lead\">{_html_inline(writer, writer.paragraph(2, 3))}</p>",
        '        <a class="button" href="/contact">Book a consultation</a>',
        "      </section>",
    ]
    tail = [
        "    </main>",
        '    <footer class="site-footer">',
        "      <!-- footer: address and legal -->",
        f"      <address>{_escape_html(facts.clinic)}, {rng.randint(10, 999)} {facts.street}, {facts.city}</address>",
        f"      <p>&copy; {facts.year + rng.randint(0, 2)} {_escape_html(facts.clinic)}. All rights reserved.</p>",
        "    </footer>",
        _SCRIPT.rstrip("\n"),
        "  </body>",
        "</html>",
        "",
    ]
    body: list[str] = []
    size = sum(len(line) + 1 for line in head + tail)
    while size < target:
        section = _html_section(writer)
        body.append(section)
        size += len(section) + 1
    return "\n".join(head + body + tail)


def _html_section(writer: PageWriter) -> str:
    rng = writer.rng
    style = rng.random()
    lines = [f'      <section class="block" id="s{rng.randrange(10**6)}">', f"        <h2>{_escape_html(writer.heading())}</h2>"]
    if style < 0.55:
        for _ in range(rng.randint(2, 4)):
            lines.append(f"        <p>{_html_inline(writer, writer.paragraph())}</p>")
    elif style < 0.7:
        lines.append('        <ul class="checklist">')
        lines += [f"          <li>{_html_inline(writer, writer.sentence())}</li>" for _ in range(rng.randint(3, 6))]
        lines.append("        </ul>")
    elif style < 0.82:
        for _ in range(rng.randint(2, 4)):
            lines.append("        <details>")
            lines.append(f"          <summary>{_escape_html(writer.heading())}?</summary>")
            lines.append(f"          <p>{_html_inline(writer, writer.paragraph(1, 3))}</p>")
            lines.append("        </details>")
    elif style < 0.92:
        lines.append('        <div class="card testimonial">')
        lines.append(f"          <blockquote><p>{_html_inline(writer, writer.paragraph(1, 3))}</p></blockquote>")
        lines.append(f"          <p class=\"byline\">&mdash; a patient from {writer.facts.city}</p>")
        lines.append("        </div>")
    else:
        alt = writer.sentence().replace('"', "&quot;")
        lines.append(f'        <figure><img src="/img/room-{rng.randint(1, 40)}.jpg" alt="{alt}" width="640" height="420">')
        lines.append(f"          <figcaption>{_html_inline(writer, writer.sentence())}</figcaption></figure>")
        lines.append(f"        <p>{_html_inline(writer, writer.paragraph())}</p>")
    lines.append("      </section>")
    return "\n".join(lines)


def _wrap(text: str, width: int = 88) -> list[str]:
    """Hard-wrap prose the way Markdown sources often are."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def _md_inline(writer: PageWriter, text: str) -> str:
    rng = writer.rng
    words = text.split(" ")
    for _ in range(rng.randint(0, 3)):
        if len(words) < 4:
            break
        at = rng.randrange(len(words) - 2)
        style = rng.random()
        if style < 0.35:
            words[at] = f"**{words[at]}"
            words[at + 1] = f"{words[at + 1]}**"
        elif style < 0.6:
            words[at] = f"[{words[at]}](https://example.org/{rng.choice(URL_WORDS)})"
        elif style < 0.8:
            words[at] = f"*{words[at]}*"
        else:
            words[at] = f"`{words[at]}`"
    return " ".join(words)


def markdown_page(rng: random.Random, target: int, risk: float) -> str:
    """One clinic page or blog post as Markdown of about `target` characters."""
    facts = _facts(rng)
    writer = PageWriter(rng, facts, risk)
    head = [
        "---",
        f'title: "{rng.choice(TREATMENTS).title()} in {facts.city}"',
        f"description: {writer.sentence()}",
        f"date: {facts.year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "tags: [ketamine, mental-health, " + facts.city.lower() + "]",
        "---",
        "",
        f"# {writer.heading()}",
        "",
        *_wrap(_md_inline(writer, writer.paragraph(2, 4))),
        "",
    ]
    tail = ["", f"_{facts.clinic} &middot; {facts.street}, {facts.city} &middot; {facts.phone}_", ""]
    body: list[str] = []
    size = sum(len(line) + 1 for line in head + tail)
    while size < target:
        section = _md_section(writer)
        body.append(section)
        size += len(section) + 1
    return "\n".join(head + body + tail)


def _md_section(writer: PageWriter) -> str:
    rng = writer.rng
    style = rng.random()
    lines = [f"## {writer.heading()}", ""]
    if style < 0.55:
        for _ in range(rng.randint(2, 4)):
            lines += _wrap(_md_inline(writer, writer.paragraph()))
            lines.append("")
    elif style < 0.7:
        numbered = rng.random() < 0.4
        for number in range(1, rng.randint(3, 6) + 1):
            marker = f"{number}." if numbered else "-"
            lines.append(f"{marker} {_md_inline(writer, writer.sentence())}")
        lines.append("")
    elif style < 0.8:
        lines += ["| Question | Answer |", "| --- | --- |"]
        for _ in range(rng.randint(2, 5)):
            lines.append(f"| {writer.heading()}? | {writer.sentence()} |")
        lines.append("")
    elif style < 0.9:
        for line in _wrap(writer.paragraph(1, 3), 76):
            lines.append(f"> {line}")
        lines += [">", f"> &mdash; a patient from {writer.facts.city}", ""]
    else:
        lines.append(f"![{writer.sentence()}](/img/room-{rng.randint(1, 40)}.jpg)")
        lines.append("")
        lines += _wrap(_md_inline(writer, writer.paragraph()))
        lines += ["", "```text", f"Clinic hours: Mon-Sat, 9:00-18:00 | Phone: {writer.facts.phone}", "```", ""]
    return "\n".join(lines)


PAGE_WRITERS: dict[str, tuple[str, Callable[[random.Random, int, float], str]]] = {
    "html": (".html", html_page),
    "markdown": (".md", markdown_page),
}


def pages(kind: str, count: int, seed: int, mean_size: int = 21_000, risk: float = 0.12) -> Iterator[tuple[str, str]]:
    """(file name, text) for `count` pages of one kind; sizes spread from half to one and a half times the mean."""
    suffix, write = PAGE_WRITERS[kind]
    rng = random.Random(f"{seed}:{kind}")
    for number in range(count):
        target = int(mean_size * (0.5 + rng.random()))
        yield f"page-{number:05d}{suffix}", write(rng, target, risk)


def write_corpus(
    folder: str, per_kind: int, seed: int = 5, mean_size: int = 21_000, kinds: tuple[str, ...] = ("html", "markdown"), risk: float = 0.12
) -> dict[str, int]:
    """Write `per_kind` pages of each kind under folder/<kind>/, 100 files per subfolder; bytes written per kind."""
    written: dict[str, int] = {}
    for kind in kinds:
        total = 0
        for number, (name, text) in enumerate(pages(kind, per_kind, seed, mean_size, risk)):
            subfolder = os.path.join(folder, kind, f"part-{number // 100:03d}")
            os.makedirs(subfolder, exist_ok=True)
            data = text.encode("utf-8")
            with open(os.path.join(subfolder, name), "wb") as handle:
                handle.write(data)
            total += len(data)
        written[kind] = total
    return written
