"""Synthetic corpus for the SwiftLens demo model.

Four behaviours of the classic TransformerLens tutorials, plus filler text:
factual recall (landmark -> city), sentiment completions (verb -> adjective class),
indirect-object identification (two names, one repeated: answer the other) and
induction (a random word sequence repeated). Everything is drawn from a seeded
`random.Random`, so the same seed gives the same corpus.
"""

import random

FACTS = [
    ("The Eiffel Tower", "Paris"), ("The Colosseum", "Rome"), ("Big Ben", "London"),
    ("The Brandenburg Gate", "Berlin"), ("The Prado Museum", "Madrid"), ("Shibuya Crossing", "Tokyo"),
    ("The Forbidden City", "Beijing"), ("The Kremlin", "Moscow"), ("The Egyptian Museum", "Cairo"),
    ("The Harbour Bridge", "Sydney"), ("The Parthenon", "Athens"), ("The Taj Mahal", "Agra"),
    ("The Leaning Tower", "Pisa"), ("The Sagrada Familia", "Barcelona"), ("The Rijksmuseum", "Amsterdam"),
    ("Schonbrunn Palace", "Vienna"), ("Charles Bridge", "Prague"), ("The Hagia Sophia", "Istanbul"),
    ("The Burj Khalifa", "Dubai"), ("The Rialto Bridge", "Venice"), ("The Space Needle", "Seattle"),
    ("Willis Tower", "Chicago"), ("Fenway Park", "Boston"), ("The CN Tower", "Toronto"),
    ("Belem Tower", "Lisbon"), ("Trinity College", "Dublin"), ("The Atomium", "Brussels"),
    ("The Uffizi Gallery", "Florence"), ("The Golden Pavilion", "Kyoto"), ("Marina Bay Sands", "Singapore"),
    ("The Gateway of India", "Mumbai"), ("The Grand Palace", "Bangkok"), ("Gyeongbokgung Palace", "Seoul"),
    ("The Bund", "Shanghai"), ("The Little Mermaid", "Copenhagen"), ("The Vasa Museum", "Stockholm"),
    ("The Alhambra", "Granada"), ("Machu Picchu", "Cusco"), ("The Western Wall", "Jerusalem"),
    ("The Chain Bridge", "Budapest"), ("The Hofbrauhaus", "Munich"), ("The Red Fort", "Delhi"),
    ("The Lincoln Memorial", "Washington"), ("Wawel Castle", "Krakow"), ("The Viking Ship Museum", "Oslo"),
    ("The Sibelius Monument", "Helsinki"), ("El Capitolio", "Havana"), ("The Palace of Culture", "Warsaw"),
]

# Prompt templates end right before the city; `{L}` is the landmark as written in FACTS.
FACT_TEMPLATES = [
    "{L} is located in",
    "{L} is located in the city of",
    "{L} is in",
    "{L} is a famous landmark in",
    "Many tourists visit {l} in",
    "You can see {l} when you travel to",
]
# Relative frequencies in training: "is located in" must mostly end with the city, not " the city of".
FACT_TEMPLATE_WEIGHTS = [4, 1, 2, 1, 1, 1]
FACT_HELDOUT_TEMPLATES = ["{L} can be found in"]

POSITIVE_VERBS = ["love", "like", "adore", "enjoy", "admire"]
NEGATIVE_VERBS = ["hate", "dislike", "despise", "loathe", "detest"]
POSITIVE_ADJECTIVES = ["great", "wonderful", "amazing", "fantastic", "excellent", "brilliant", "beautiful", "perfect"]
NEGATIVE_ADJECTIVES = ["terrible", "awful", "horrible", "boring", "bad", "dreadful", "ugly", "dull"]
SENTIMENT_NOUNS = ["movie", "book", "song", "game", "restaurant", "show", "album", "film",
                   "play", "car", "phone", "hotel", "city", "park", "story", "painting"]
SENTIMENT_TEMPLATES = [
    "I {v} this {n} because it is",
    "We {v} the {n} because it is really",
    "My friends {v} this {n} because it is",
    "I really {v} this {n}, it is",
    "They {v} that {n} since it is",
]
SENTIMENT_HELDOUT_TEMPLATES = ["Everyone says they {v} this {n} because it is"]

NAMES = ["Mary", "John", "Tom", "James", "Dan", "Sid", "Martin", "Amy", "Anna", "Kate",
         "Paul", "Sarah", "Lisa", "Mark", "David", "Peter", "Emma", "Alice", "Bob", "Jack",
         "Laura", "Ben", "Sam", "Lucy", "Grace", "Mike", "Rose", "Jane", "Alex", "Chris",
         "Anne", "Ruth", "Steve", "Kevin", "Linda", "Helen", "Eric", "Adam", "Julia", "Nina",
         "Oscar", "Victor", "Max", "Leo", "Ella", "Eva", "Ivy", "Ryan", "Sean", "Tim"]
PLACES = ["store", "park", "school", "office", "station", "beach", "market", "library", "garden", "house"]
OBJECTS = ["a drink", "a ball", "a book", "a ring", "a key", "a letter", "a bag", "a bone", "a gift", "an apple"]
# `{A} and {B}` introduce both names; `{S}` (the subject, one of them) is repeated; the answer is the other.
IOI_TEMPLATES = [
    "When {A} and {B} went to the {place}, {S} gave {obj} to",
    "Then, {A} and {B} had a lot of fun at the {place}. {S} gave {obj} to",
    "After {A} and {B} went to the {place}, {S} handed {obj} to",
    "While {A} and {B} were working at the {place}, {S} gave {obj} to",
    "Then, {A} and {B} went to the {place}. {S} gave {obj} to",
    "When {A} and {B} arrived at the {place}, {S} passed {obj} to",
]
IOI_HELDOUT_TEMPLATES = ["Later, {A} and {B} walked to the {place}, and {S} gave {obj} to"]

FILLER_WORDS = (
    "time year people way day man thing woman life child world school state family student group country "
    "problem hand part place case week company system program question work government number night point "
    "home water room mother area money story fact month lot right study book eye job word business issue "
    "side kind head house service friend father power hour game line end member law car city community name "
    "president team minute idea kid body information back parent face others level office door health person "
    "art war history party result change morning reason research girl guy moment air teacher force education "
    "river mountain tree flower bird dog cat horse fish apple bread cheese coffee tea window garden table chair "
    "road bridge train plane boat ship island forest desert ocean lake cloud rain snow wind sun moon star"
).split()
FILLER_VERBS = ("saw found liked wanted needed made took brought kept opened closed painted cleaned built "
                "carried watched visited bought sold read wrote").split()
FILLER_ADJECTIVES = ("old new small large red blue green quiet busy warm cold bright dark tall short long "
                     "young early late heavy light simple").split()
SYLLABLES = ("ka lo mi ra te zu po ve si na bo du fe gi ho ju ke li mo nu pa qui ro su ta vi wo xe ya ze "
             "bra cle dro fli gro kri pla sto tri vro").split()


def fact_prompt(template, landmark):
    """Fills a fact template; `{l}` is the landmark with a lower-case leading article."""
    lower = "the" + landmark[3:] if landmark.startswith("The ") else landmark
    return template.format(L=landmark, l=lower)


def sentiment_split():
    """(train, held-out) lists of (verb, noun, positive); about a fifth of the pairs are held out,
    but `love/hate movie` always stay in training (they are the demo prompts)."""
    rng = random.Random(1234)
    train, held = [], []
    for verbs, positive in ((POSITIVE_VERBS, True), (NEGATIVE_VERBS, False)):
        for verb in verbs:
            for noun in SENTIMENT_NOUNS:
                keep = noun == "movie" or rng.random() >= 0.2
                (train if keep else held).append((verb, noun, positive))
    return train, held


def ioi_split():
    """(train, held-out) lists of unordered name pairs; about 15% of the pairs are held out,
    but Mary/John always stays in training (the demo prompt)."""
    rng = random.Random(4321)
    train, held = [], []
    for i, a in enumerate(NAMES):
        for b in NAMES[i + 1:]:
            keep = {a, b} == {"Mary", "John"} or rng.random() >= 0.15
            (train if keep else held).append((a, b))
    return train, held


def ioi_prompt(template, pair, order, rng):
    """An IOI prompt and its (indirect object, subject) names.
    `order` "ABBA": the subject is the second name; "BABA": the subject is the first."""
    first, second = pair
    subject = second if order == "ABBA" else first
    io = first if order == "ABBA" else second
    text = template.format(A=first, B=second, S=subject, place=rng.choice(PLACES), obj=rng.choice(OBJECTS))
    return text, io, subject


class CorpusGenerator:
    """Draws training documents (strings) for each behaviour from one seeded generator."""

    def __init__(self, seed):
        self.rng = random.Random(seed)
        self.sentiment_train, _ = sentiment_split()
        self.ioi_train, _ = ioi_split()

    def fact(self):
        landmark, city = self.rng.choice(FACTS)
        template = self.rng.choices(FACT_TEMPLATES, FACT_TEMPLATE_WEIGHTS)[0]
        return fact_prompt(template, landmark) + " " + city + "."

    def sentiment(self):
        verb, noun, positive = self.rng.choice(self.sentiment_train)
        adjective = self.rng.choice(POSITIVE_ADJECTIVES if positive else NEGATIVE_ADJECTIVES)
        text = self.rng.choice(SENTIMENT_TEMPLATES).format(v=verb, n=noun) + " " + adjective + "."
        if self.rng.random() < 0.3:
            text += " The " + noun + " was " + adjective + "."
        return text

    def ioi(self):
        pair = self.rng.choice(self.ioi_train)
        if self.rng.random() < 0.5:
            pair = (pair[1], pair[0])
        order = self.rng.choice(["ABBA", "BABA"])
        text, io, _ = ioi_prompt(self.rng.choice(IOI_TEMPLATES), pair, order, self.rng)
        return text + " " + io + "."

    def nonsense_word(self):
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(1, 3)))

    def name_copy(self):
        """One name mentioned, then given something: the answer is the only name in context. This is the
        easy copying task that the IOI circuit grows from."""
        rng = self.rng
        name = rng.choice(NAMES)
        place, obj = rng.choice(PLACES), rng.choice(OBJECTS)
        text = rng.choice([
            f"{name} went to the {place}. The teacher gave {obj} to {name}.",
            f"When {name} arrived at the {place}, a friend handed {obj} to {name}.",
            f"{name} was working at the {place}, so we gave {obj} to {name}.",
            f"Then, {name} had a lot of fun at the {place}. Everyone said hello to {name}.",
        ])
        return text

    def repeated_words(self):
        """A random word sequence written two or three times: the copies are predictable only by induction."""
        length = self.rng.randint(3, 20)
        pool = FILLER_WORDS + FILLER_ADJECTIVES + NAMES
        words = [self.nonsense_word() if self.rng.random() < 0.4 else self.rng.choice(pool) for _ in range(length)]
        return " ".join(words * self.rng.choice([2, 2, 3]))

    def filler(self):
        rng = self.rng
        sentences = []
        for _ in range(rng.randint(1, 3)):
            kind = rng.randrange(4)
            if kind == 0:
                sentences.append(f"The {rng.choice(FILLER_ADJECTIVES)} {rng.choice(FILLER_WORDS)} "
                                 f"{rng.choice(FILLER_VERBS)} the {rng.choice(FILLER_WORDS)}.")
            elif kind == 1:
                sentences.append(f"{rng.choice(NAMES)} {rng.choice(FILLER_VERBS)} a {rng.choice(FILLER_ADJECTIVES)} "
                                 f"{rng.choice(FILLER_WORDS)} near the {rng.choice(PLACES)}.")
            elif kind == 2:
                landmark, city = rng.choice(FACTS)
                sentences.append(f"{city} is a {rng.choice(FILLER_ADJECTIVES)} city with a {rng.choice(FILLER_WORDS)}.")
            else:
                sentences.append(f"In the {rng.choice(FILLER_WORDS)}, the {rng.choice(FILLER_WORDS)} was "
                                 f"{rng.choice(FILLER_ADJECTIVES)}.")
        return " ".join(sentences)

    def documents(self, count, mix):
        """`count` documents; `mix` maps a behaviour name (a method of this class) to its weight."""
        kinds = list(mix)
        weights = [mix[k] for k in kinds]
        return [getattr(self, kind)() for kind in self.rng.choices(kinds, weights, k=count)]
