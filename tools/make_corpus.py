"""Generate the seeded English + Chinese corpus the bundled tiny models learn from.

The corpus is templated on purpose: every fact is written in several phrasings
(templates), and for each fact one phrasing is held out. The models see the fact
in its other phrasings during training, so a held-out sentence tests whether a
model learned the fact rather than memorised the sentence. Short stories and
subject-verb agreement sentences give the attention views something to show
(names carried across sentences, a verb looking back past a distractor noun).

A second, separate task feeds the encoder-decoder: number words (English or
Chinese) to digits, with a random 5% of the numbers held out.

    .venv/bin/python tools/make_corpus.py --out build/corpus   # writes text files and prints counts

The same seed gives the same corpus, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import random
import string
from dataclasses import asdict, dataclass
from pathlib import Path

SEED = 1234

# ---------------------------------------------------------------------------
# What the corpus knows about
# ---------------------------------------------------------------------------

# (country, capital, 国家, 首都)
COUNTRIES = [
    ("France", "Paris", "法国", "巴黎"),
    ("Germany", "Berlin", "德国", "柏林"),
    ("Italy", "Rome", "意大利", "罗马"),
    ("Spain", "Madrid", "西班牙", "马德里"),
    ("Japan", "Tokyo", "日本", "东京"),
    ("China", "Beijing", "中国", "北京"),
    ("Russia", "Moscow", "俄罗斯", "莫斯科"),
    ("Egypt", "Cairo", "埃及", "开罗"),
    ("Canada", "Ottawa", "加拿大", "渥太华"),
    ("Kenya", "Nairobi", "肯尼亚", "内罗毕"),
    ("Peru", "Lima", "秘鲁", "利马"),
    ("Greece", "Athens", "希腊", "雅典"),
    ("Norway", "Oslo", "挪威", "奥斯陆"),
    ("Sweden", "Stockholm", "瑞典", "斯德哥尔摩"),
    ("Poland", "Warsaw", "波兰", "华沙"),
    ("Austria", "Vienna", "奥地利", "维也纳"),
    ("Portugal", "Lisbon", "葡萄牙", "里斯本"),
    ("Ireland", "Dublin", "爱尔兰", "都柏林"),
    ("Thailand", "Bangkok", "泰国", "曼谷"),
    ("Vietnam", "Hanoi", "越南", "河内"),
    ("Turkey", "Ankara", "土耳其", "安卡拉"),
    ("Cuba", "Havana", "古巴", "哈瓦那"),
    ("Australia", "Canberra", "澳大利亚", "堪培拉"),
    ("Iran", "Tehran", "伊朗", "德黑兰"),
    ("Finland", "Helsinki", "芬兰", "赫尔辛基"),
    ("Denmark", "Copenhagen", "丹麦", "哥本哈根"),
    ("Hungary", "Budapest", "匈牙利", "布达佩斯"),
    ("Chile", "Santiago", "智利", "圣地亚哥"),
    ("Nepal", "Kathmandu", "尼泊尔", "加德满都"),
    ("Ghana", "Accra", "加纳", "阿克拉"),
    ("Belgium", "Brussels", "比利时", "布鲁塞尔"),
    ("Mongolia", "Ulaanbaatar", "蒙古", "乌兰巴托"),
]

# (animal, sound, 动物, 叫声)
SOUNDS = [
    ("dog", "woof", "狗", "汪汪"),
    ("cat", "meow", "猫", "喵喵"),
    ("cow", "moo", "牛", "哞哞"),
    ("duck", "quack", "鸭子", "嘎嘎"),
    ("sheep", "baa", "羊", "咩咩"),
    ("pig", "oink", "猪", "哼哼"),
    ("frog", "croak", "青蛙", "呱呱"),
    ("mouse", "squeak", "老鼠", "吱吱"),
    ("owl", "hoot", "猫头鹰", "咕咕"),
    ("lion", "roar", "狮子", "吼吼"),
    ("bee", "buzz", "蜜蜂", "嗡嗡"),
    ("snake", "hiss", "蛇", "嘶嘶"),
    ("horse", "neigh", "马", "咴咴"),
    ("crow", "caw", "乌鸦", "哇哇"),
    ("chick", "cheep", "小鸡", "叽叽"),
    ("wolf", "howl", "狼", "嗷嗷"),
]

# (animal, number of legs, 动物, 几条腿)
LEGS = [
    ("dog", "four", "狗", "四"),
    ("cat", "four", "猫", "四"),
    ("duck", "two", "鸭子", "两"),
    ("spider", "eight", "蜘蛛", "八"),
    ("ant", "six", "蚂蚁", "六"),
    ("bee", "six", "蜜蜂", "六"),
    ("bird", "two", "鸟", "两"),
    ("horse", "four", "马", "四"),
    ("chicken", "two", "鸡", "两"),
    ("crab", "ten", "螃蟹", "十"),
    ("beetle", "six", "甲虫", "六"),
    ("owl", "two", "猫头鹰", "两"),
    ("lion", "four", "狮子", "四"),
    ("scorpion", "eight", "蝎子", "八"),
    ("penguin", "two", "企鹅", "两"),
    ("goat", "four", "山羊", "四"),
]

# (thing, how many, of what, 东西, 几, 量词+什么)
COUNTS = [
    ("a week", "seven", "days", "一个星期", "七", "天"),
    ("a triangle", "three", "sides", "三角形", "三", "条边"),
    ("a square", "four", "sides", "正方形", "四", "条边"),
    ("a hexagon", "six", "sides", "六边形", "六", "条边"),
    ("a hand", "five", "fingers", "一只手", "五", "根手指"),
    ("a year", "twelve", "months", "一年", "十二", "个月"),
    ("a rainbow", "seven", "colours", "彩虹", "七", "种颜色"),
    ("a bicycle", "two", "wheels", "自行车", "两", "个轮子"),
    ("a tricycle", "three", "wheels", "三轮车", "三", "个轮子"),
    ("a car", "four", "wheels", "汽车", "四", "个轮子"),
    ("a cube", "six", "faces", "正方体", "六", "个面"),
    ("a minute", "sixty", "seconds", "一分钟", "六十", "秒"),
    ("an hour", "sixty", "minutes", "一小时", "六十", "分钟"),
    ("a dozen", "twelve", "eggs", "一打鸡蛋", "十二", "个"),
    ("a football team", "eleven", "players", "一支足球队", "十一", "名球员"),
    ("an octagon", "eight", "sides", "八边形", "八", "条边"),
]

# (thing, colour, 东西, 颜色)
COLOURS = [
    ("a banana", "yellow", "香蕉", "黄色"),
    ("a lemon", "yellow", "柠檬", "黄色"),
    ("grass", "green", "草", "绿色"),
    ("a leaf", "green", "树叶", "绿色"),
    ("the sky", "blue", "天空", "蓝色"),
    ("the sea", "blue", "大海", "蓝色"),
    ("snow", "white", "雪", "白色"),
    ("milk", "white", "牛奶", "白色"),
    ("coal", "black", "煤", "黑色"),
    ("a crow", "black", "乌鸦", "黑色"),
    ("blood", "red", "血", "红色"),
    ("a cherry", "red", "樱桃", "红色"),
    ("a carrot", "orange", "胡萝卜", "橙色"),
    ("a pumpkin", "orange", "南瓜", "橙色"),
    ("chocolate", "brown", "巧克力", "棕色"),
    ("a grape", "purple", "葡萄", "紫色"),
    ("a flamingo", "pink", "火烈鸟", "粉色"),
    ("an elephant", "grey", "大象", "灰色"),
    ("a tomato", "red", "西红柿", "红色"),
    ("a cloud", "white", "云", "白色"),
]

EN_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ZH_DIGITS = "零一二三四五六七八九"

# Each fact kind: English and Chinese phrasings (the answer slot: see fill). A template that
# asks for the country (capital first) has a sibling in the same direction, so a causal
# model never has to reverse a fact it only saw one way round.
TEMPLATES = {
    "capital": {
        "en": [
            "The capital of {c} is {x}.",
            "{c} has its capital in {x}.",
            "The capital city of {c} is {x}.",
            "{x} is the capital of {c}.",
            "{x} is the capital city of {c}.",
            "The city of {x} is the capital of {c}.",
        ],
        "zh": [
            "{c}的首都是{x}。",
            "{c}的首都叫{x}。",
            "{c}的首都城市是{x}。",
            "{x}是{c}的首都。",
            "{x}是{c}的首都城市。",
            "{x}这座城市是{c}的首都。",
        ],
    },
    "sound": {
        "en": [
            "The {a} says {x}.",
            "{an_a} goes {x}.",
            "When {an_a} talks, it says {x}.",
            "We heard the {a} say {x}.",
        ],
        "zh": [
            "{a}的叫声是{x}。",
            "{a}叫起来是{x}。",
            "我们听到{a}在叫：{x}。",
            "{a}会发出{x}的叫声。",
        ],
    },
    "legs": {
        "en": [
            "{an_a} has {x} legs.",
            "Every {a} walks on {x} legs.",
            "How many legs does {an_a} have? It has {x}.",
            "The {a} stands on {x} legs.",
        ],
        "zh": [
            "{a}有{x}条腿。",
            "{a}用{x}条腿走路。",
            "{a}一共有{x}条腿。",
            "你知道吗？{a}有{x}条腿。",
        ],
    },
    "colour": {
        "en": [
            "The colour of {t} is {x}.",
            "Most people would say {t} is {x}.",
            "Everyone knows that {t} is {x}.",
            "I drew {t} and made it {x}.",
        ],
        "zh": [
            "{t}是{x}的。",
            "{t}的颜色是{x}。",
            "大家都知道{t}是{x}的。",
            "我画了{t}，把它涂成了{x}。",
        ],
    },
    "number": {
        "en": [
            "{t} has {x} {unit}.",
            "In {t} there are {x} {unit}.",
            "Count the {unit} of {t} and you get {x}.",
            "How many {unit} does {t} have? It has {x}.",
        ],
        "zh": [
            "{t}有{x}{unit}。",
            "{t}一共有{x}{unit}。",
            "数一数，{t}有{x}{unit}。",
            "你知道吗？{t}有{x}{unit}。",
        ],
    },
}

# Subject-verb agreement: the verb agrees with the first noun, not the nearer one.
NOUNS = [
    ("dog", "dogs"),
    ("cat", "cats"),
    ("key", "keys"),
    ("book", "books"),
    ("teacher", "teachers"),
    ("car", "cars"),
    ("bird", "birds"),
    ("child", "children"),
    ("box", "boxes"),
    ("girl", "girls"),
    ("boy", "boys"),
    ("house", "houses"),
]
ADJECTIVES = ["old", "new", "small", "big", "happy", "quiet", "red", "clean", "cold", "far"]
AGREEMENT_TEMPLATES = [
    "The {n1} near the {n2} {be} {adj}.",
    "The {n1} next to the {n2} {be} {adj}.",
    "The {n1} behind the {n2} {be} {adj}.",
    "The {n1} that the {n2} {like} {be} {adj}.",
]

# Stories: every sentence shares a name or a thing with the one before it.
EN_NAMES = [
    ("Tom", "he"),
    ("Mary", "she"),
    ("Anna", "she"),
    ("Jack", "he"),
    ("Lily", "she"),
    ("Sam", "he"),
    ("Emma", "she"),
    ("Ben", "he"),
    ("Lucy", "she"),
    ("Max", "he"),
    ("Mia", "she"),
    ("Leo", "he"),
    ("Zoe", "she"),
    ("Noah", "he"),
    ("Ella", "she"),
    ("Finn", "he"),
    ("Kate", "she"),
    ("Dan", "he"),
    ("Rose", "she"),
    ("Paul", "he"),
    ("Amy", "she"),
    ("Luke", "he"),
    ("Ruth", "she"),
    ("Adam", "he"),
]
ZH_NAMES = [
    ("小明", "他"),
    ("小红", "她"),
    ("小刚", "他"),
    ("小丽", "她"),
    ("小华", "他"),
    ("小芳", "她"),
    ("小军", "他"),
    ("小燕", "她"),
    ("小强", "他"),
    ("小美", "她"),
    ("小东", "他"),
    ("小雪", "她"),
    ("小龙", "他"),
    ("小云", "她"),
    ("小林", "他"),
    ("小月", "她"),
    ("小伟", "他"),
    ("小兰", "她"),
    ("小杰", "他"),
    ("小梅", "她"),
    ("小勇", "他"),
    ("小琴", "她"),
    ("小海", "他"),
    ("小玉", "她"),
]
EN_THINGS = ["ball", "book", "kite", "hat", "cup", "pen", "bag", "doll", "drum", "clock", "lamp", "box"]
ZH_THINGS = [
    ("球", "个"),
    ("书", "本"),
    ("风筝", "个"),
    ("帽子", "顶"),
    ("杯子", "个"),
    ("笔", "支"),
    ("包", "个"),
    ("娃娃", "个"),
    ("鼓", "面"),
    ("钟", "个"),
    ("灯", "盏"),
    ("盒子", "个"),
]
EN_PLACES = ["market", "park", "school", "shop", "library", "beach", "garden", "zoo"]
ZH_PLACES = ["市场", "公园", "学校", "商店", "图书馆", "海边", "花园", "动物园"]
EN_STORY_COLOURS = ["red", "blue", "green", "yellow", "white", "black", "brown", "pink"]
ZH_STORY_COLOURS = ["红色", "蓝色", "绿色", "黄色", "白色", "黑色", "棕色", "粉色"]
STORY_TEMPLATES = {
    "en": [
        [
            "{A} went to the {place}.",
            "At the {place}, {A} bought a {col} {obj}.",
            "{A} took the {col} {obj} home.",
            "{P} liked the {obj} very much.",
        ],
        [
            "{A} had a {col} {obj}.",
            "{A} gave the {obj} to {B}.",
            "Now {B} has the {col} {obj}.",
            "{B} said thank you to {A}.",
        ],
        [
            "{A} and {B} played in the {place}.",
            "In the {place}, {A} lost {poss} {obj}.",
            "{B} found the {obj} under a tree.",
            "{B} gave the {obj} back to {A}.",
        ],
        [
            "{A} wanted a {obj}.",
            "{A} asked {B} for a {obj}.",
            "{B} had a {col} {obj}.",
            "{B} gave {A} the {col} {obj}.",
        ],
    ],
    "zh": [
        [
            "{A}去了{place}。",
            "{A}在{place}买了一{m}{col}的{obj}。",
            "{A}把{col}的{obj}带回了家。",
            "{P}很喜欢这{m}{obj}。",
        ],
        ["{A}有一{m}{col}的{obj}。", "{A}把{obj}送给了{B}。", "现在{B}有了那{m}{col}的{obj}。", "{B}对{A}说谢谢。"],
        ["{A}和{B}在{place}玩。", "在{place}，{A}把{obj}弄丢了。", "{B}在树下找到了{obj}。", "{B}把{obj}还给了{A}。"],
        ["{A}想要一{m}{obj}。", "{A}问{B}有没有{obj}。", "{B}有一{m}{col}的{obj}。", "{B}把{col}的{obj}给了{A}。"],
    ],
}
FACTS_PER_PAGE = 4
FACT_PAGE_COPIES = 8
TRAIN_STORIES_PER_LANGUAGE = 3000
HELDOUT_STORIES_PER_LANGUAGE = 40
HELDOUT_AGREEMENT_FRACTION = 0.1
HELDOUT_NUMBER_FRACTION = 0.05
MAX_NUMBER = 9999


# Chinese words the templates use besides the names above; with those names they are the
# lexicon BERT's whole-word masking segments Chinese text with (zh_lexicon).
ZH_TEMPLATE_WORDS = [
    "首都",
    "城市",
    "这座",
    "叫声",
    "起来",
    "我们",
    "听到",
    "发出",
    "一共",
    "走路",
    "你知道",
    "颜色",
    "大家",
    "知道",
    "通常",
    "画了",
    "涂成",
    "数一数",
    "一个",
    "去了",
    "买了",
    "带回",
    "回家",
    "喜欢",
    "送给",
    "现在",
    "有了",
    "谢谢",
    "弄丢",
    "树下",
    "找到",
    "还给",
    "想要",
    "有没有",
    "那个",
]


def zh_lexicon() -> list[str]:
    """Every Chinese word of two or more characters the corpus is built from, longest first."""
    words = set(ZH_TEMPLATE_WORDS)
    row: tuple[str, ...]
    for row in COUNTRIES + SOUNDS + LEGS + COLOURS:
        words.update(row[2:])
    for row in COUNTS:
        words.update(row[3:])
    words.update(n for n, _ in ZH_NAMES)
    words.update(t for t, _ in ZH_THINGS)
    words.update(ZH_PLACES + ZH_STORY_COLOURS)
    return sorted((w for w in words if len(w) > 1), key=lambda w: (-len(w), w))


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Fact:
    kind: str  # "capital" | "sound" | "legs" | "colour" | "number" (how many) | "agreement"
    lang: str  # "en" | "zh"
    entity: str  # what the sentence is about (English key); groups phrasings into documents
    template: int  # index of the phrasing in TEMPLATES[kind][lang] (AGREEMENT_TEMPLATES for agreement)
    text: str  # the whole sentence
    prompt: str  # the text before the answer
    answer: str  # the word(s) the sentence is asking for; text == prompt + sep + answer + rest


@dataclass(frozen=True)
class Document:
    kind: str  # "facts" | "story" | "agreement"
    lang: str  # "en" | "zh"
    # What it is about (names, things, "topic:capital"); a random "next sentence" comes from a document sharing none.
    names: tuple[str, ...]
    sentences: tuple[str, ...]


@dataclass(frozen=True)
class NumberPair:
    lang: str  # language of the words
    value: int
    words: str  # "three thousand four hundred and twelve" or "三千四百一十二"
    digits: str  # "3412"
    alignment: tuple[tuple[int, int], ...]  # (word index, digit index): the word each non-zero digit comes from


@dataclass(frozen=True)
class Corpus:
    train_docs: tuple[Document, ...]
    heldout_facts: tuple[Fact, ...]  # every template x entity sentence that training never sees
    heldout_stories: tuple[Document, ...]  # whole stories whose sentences training never sees
    train_numbers: tuple[NumberPair, ...]
    heldout_numbers: tuple[NumberPair, ...]

    def train_sentences(self) -> set[str]:
        return {s for d in self.train_docs for s in d.sentences}


# ---------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------


def fill(template: str, answer_slot: str | None = None, **slots: str) -> tuple[str, str, str]:
    """Fill a template; return (text, prompt, answer) where prompt is everything before the answer.

    Without answer_slot, the answer is whichever of the fact's two ends, x (the attribute) or
    c (the country), comes last: "The capital of {c} is {x}." asks for x, "{x} is the capital
    of {c}." asks for c.
    """
    if answer_slot is None:
        answer_slot = [name for _, name, _, _ in string.Formatter().parse(template) if name in ("x", "c")][-1]
    before, _, _ = template.partition("{" + answer_slot + "}")
    text = _capitalise(template.format(**slots))
    prompt = _capitalise(before.format(**slots)).rstrip(" ")
    return text, prompt, slots[answer_slot]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _with_article(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def joiner(lang: str) -> str:
    """How sentences of one language are glued into running text."""
    return " " if lang == "en" else ""


# ---------------------------------------------------------------------------
# Facts
# ---------------------------------------------------------------------------


def fact_slots() -> list[tuple[str, str, str, dict[str, str]]]:
    """(kind, lang, entity, slots) for every fact in both languages."""
    rows = []
    for c, x, zc, zx in COUNTRIES:
        rows.append(("capital", "en", c, {"c": c, "x": x}))
        rows.append(("capital", "zh", c, {"c": zc, "x": zx}))
    for a, s, za, zs in SOUNDS:
        rows.append(("sound", "en", a, {"a": a, "an_a": _with_article(a), "x": s}))
        rows.append(("sound", "zh", a, {"a": za, "x": zs}))
    for a, n, za, zn in LEGS:
        rows.append(("legs", "en", a, {"a": a, "an_a": _with_article(a), "x": n}))
        rows.append(("legs", "zh", a, {"a": za, "x": zn}))
    for t, col, zt, zcol in COLOURS:
        rows.append(("colour", "en", t, {"t": t, "x": col}))
        rows.append(("colour", "zh", t, {"t": zt, "x": zcol}))
    for t, x, unit, zt, zx, zunit in COUNTS:
        rows.append(("number", "en", t, {"t": t, "x": x, "unit": unit}))
        rows.append(("number", "zh", t, {"t": zt, "x": zx, "unit": zunit}))
    return rows


def make_facts() -> tuple[list[Fact], list[Fact]]:
    """All fact sentences, split (train, held out): entity i holds out template i mod K."""
    train: list[Fact] = []
    heldout: list[Fact] = []
    seen_entities: dict[tuple[str, str], int] = {}
    for kind, lang, entity, slots in fact_slots():
        index = seen_entities.setdefault((kind, lang), 0)
        seen_entities[(kind, lang)] = index + 1
        templates = TEMPLATES[kind][lang]
        for t, template in enumerate(templates):
            text, prompt, answer = fill(template, **slots)
            fact = Fact(kind, lang, entity, t, text, prompt, answer)
            (heldout if t == index % len(templates) else train).append(fact)
    return train, heldout


def fact_documents(train_facts: list[Fact], rng: random.Random) -> list[Document]:
    """Topic pages: FACTS_PER_PAGE trained sentences of one kind and language, each about a
    different entity, so an answer can never be copied from a sibling phrasing next to it.
    Every sentence appears on FACT_PAGE_COPIES pages."""
    groups: dict[tuple[str, str], list[Fact]] = {}
    for f in train_facts:
        groups.setdefault((f.kind, f.lang), []).append(f)
    docs = []
    for (kind, lang), facts in groups.items():
        for _ in range(FACT_PAGE_COPIES):
            order = list(facts)
            rng.shuffle(order)
            page: list[Fact] = []
            for f in order:
                if any(p.entity == f.entity for p in page):
                    continue  # one sentence per entity on a page; the rest wait for the next copy
                page.append(f)
                if len(page) == FACTS_PER_PAGE:
                    docs.append(Document("facts", lang, (f"topic:{kind}",), tuple(p.text for p in page)))
                    page = []
    return docs


# ---------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------


def make_agreement(rng: random.Random) -> tuple[list[Document], list[Fact]]:
    train_docs, heldout = [], []
    for t, template in enumerate(AGREEMENT_TEMPLATES):
        for i, n1 in enumerate(NOUNS):
            for j, n2 in enumerate(NOUNS):
                if i == j:
                    continue
                for plural1 in (False, True):
                    for plural2 in (False, True):
                        slots = {
                            "n1": n1[plural1],
                            "n2": n2[plural2],
                            "be": "are" if plural1 else "is",
                            "like": "like" if plural2 else "likes",
                        }
                        entity = slots["n1"]
                        if rng.random() < HELDOUT_AGREEMENT_FRACTION:
                            text, prompt, answer = fill(template, "be", adj=rng.choice(ADJECTIVES), **slots)
                            heldout.append(Fact("agreement", "en", entity, t, text, prompt, answer))
                            continue
                        for adj in rng.sample(ADJECTIVES, 2):
                            text, _, _ = fill(template, "be", adj=adj, **slots)
                            place = rng.choice(EN_PLACES)
                            follow = f"The {slots['n1']} {slots['be']} in the {place}."
                            train_docs.append(Document("agreement", "en", (entity, slots["n2"]), (text, follow)))
    return train_docs, heldout


# ---------------------------------------------------------------------------
# Stories
# ---------------------------------------------------------------------------


def random_story(rng: random.Random, lang: str) -> Document:
    t = rng.randrange(len(STORY_TEMPLATES[lang]))
    names = EN_NAMES if lang == "en" else ZH_NAMES
    (a, pronoun), (b, _) = rng.sample(names, 2)
    if lang == "en":
        obj, m = rng.choice(EN_THINGS), ""
        place, col = rng.choice(EN_PLACES), rng.choice(EN_STORY_COLOURS)
        poss = "his" if pronoun == "he" else "her"
    else:
        obj, m = rng.choice(ZH_THINGS)
        place, col, poss = rng.choice(ZH_PLACES), rng.choice(ZH_STORY_COLOURS), ""
    slots = {"A": a, "B": b, "P": pronoun, "poss": poss, "obj": obj, "m": m, "place": place, "col": col}
    sentences = tuple(_capitalise(s.format(**slots)) for s in STORY_TEMPLATES[lang][t])
    return Document("story", lang, (a, b, obj), sentences)


def make_stories(rng: random.Random) -> tuple[list[Document], list[Document]]:
    """Held-out stories first; then training stories that share no sentence with them."""
    train, heldout = [], []
    for lang in ("en", "zh"):
        held: list[Document] = []
        while len(held) < HELDOUT_STORIES_PER_LANGUAGE:
            story = random_story(rng, lang)
            if story not in held:
                held.append(story)
        forbidden = {s for d in held for s in d.sentences}
        made = 0
        while made < TRAIN_STORIES_PER_LANGUAGE:
            story = random_story(rng, lang)
            if not forbidden.intersection(story.sentences):
                train.append(story)
                made += 1
        heldout.extend(held)
    return train, heldout


# ---------------------------------------------------------------------------
# Numbers: words -> digits (the encoder-decoder task)
# ---------------------------------------------------------------------------


def en_number(n: int) -> tuple[list[str], list[int]]:
    """English words for 0 <= n <= 9999 and, per digit of str(n), the index of the word it comes from (-1: none)."""
    if n == 0:
        return ["zero"], [0]
    words: list[str] = []
    source = [-1] * 4  # thousands, hundreds, tens, units
    thousands, rest = divmod(n, 1000)
    hundreds, below = divmod(rest, 100)
    if thousands:
        source[0] = len(words)
        words += [EN_SMALL[thousands], "thousand"]
    if hundreds:
        source[1] = len(words)
        words += [EN_SMALL[hundreds], "hundred"]
    if below:
        if words:
            words.append("and")
        if below < 20:
            if below >= 10:
                source[2] = len(words)
            source[3] = len(words)
            words.append(EN_SMALL[below])
        else:
            tens, units = divmod(below, 10)
            source[2] = len(words)
            words.append(EN_TENS[tens])
            if units:
                words.append("-")
                source[3] = len(words)
                words.append(EN_SMALL[units])
    digits = str(n)
    return words, source[4 - len(digits) :]


def zh_number_parts(n: int) -> tuple[list[str], list[int]]:
    """Chinese numeral characters for 0 <= n <= 9999 and, per digit, the index of the character it comes from."""
    digits = str(n)
    if n == 0:
        return ["零"], [0]
    chars: list[str] = []
    source = [-1] * len(digits)
    units = {4: "千", 3: "百", 2: "十", 1: ""}
    pending_zero = False
    for i, d in enumerate(digits):
        place = len(digits) - i
        if d == "0":
            pending_zero = bool(chars)
            continue
        if pending_zero:
            source[i - 1] = len(chars)  # a single 零 stands for the zero(s) just before this digit
            chars.append("零")
            pending_zero = False
        if not (d == "1" and place == 2 and i == 0):  # 十二, not 一十二, at the start
            source[i] = len(chars)
            chars.append(ZH_DIGITS[int(d)])
        else:
            source[i] = len(chars)
        if units[place]:
            chars.append(units[place])
    return chars, source


def number_pair(lang: str, n: int) -> NumberPair:
    tokens, source = en_number(n) if lang == "en" else zh_number_parts(n)
    words = " ".join(tokens).replace(" - ", "-") if lang == "en" else "".join(tokens)
    alignment = tuple((w, d) for d, w in enumerate(source) if w >= 0)
    return NumberPair(lang, n, words, str(n), alignment)


def make_numbers(rng: random.Random) -> tuple[list[NumberPair], list[NumberPair]]:
    train: list[NumberPair] = []
    heldout: list[NumberPair] = []
    for lang in ("en", "zh"):
        for n in range(MAX_NUMBER + 1):
            pair = number_pair(lang, n)
            (heldout if rng.random() < HELDOUT_NUMBER_FRACTION else train).append(pair)
    return train, heldout


# ---------------------------------------------------------------------------
# The whole corpus
# ---------------------------------------------------------------------------


def build_corpus(seed: int = SEED) -> Corpus:
    rng = random.Random(seed)
    train_facts, heldout_facts = make_facts()
    agreement_docs, heldout_agreement = make_agreement(rng)
    train_stories, heldout_stories = make_stories(rng)
    train_numbers, heldout_numbers = make_numbers(rng)
    docs = fact_documents(train_facts, rng) + agreement_docs + train_stories
    corpus = Corpus(
        tuple(docs),
        tuple(heldout_facts + heldout_agreement),
        tuple(heldout_stories),
        tuple(train_numbers),
        tuple(heldout_numbers),
    )
    check_split(corpus)
    return corpus


def check_split(corpus: Corpus) -> None:
    """Fail loudly if any held-out sentence or number leaked into training."""
    seen = corpus.train_sentences()
    leaked = [f.text for f in corpus.heldout_facts if f.text in seen]
    leaked += [s for d in corpus.heldout_stories for s in d.sentences if s in seen]
    if leaked:
        raise AssertionError(f"{len(leaked)} held-out sentences are in the training documents, e.g. {leaked[:3]}")
    trained_numbers = {(p.lang, p.value) for p in corpus.train_numbers}
    if any((p.lang, p.value) in trained_numbers for p in corpus.heldout_numbers):
        raise AssertionError("a held-out number is in the training pairs")
    for f in corpus.heldout_facts:
        if not f.text.startswith(f.prompt) or f.answer not in f.text[len(f.prompt) : len(f.prompt) + len(f.answer) + 1]:
            raise AssertionError(f"the prompt and answer do not cut {f.text!r}")


def write_corpus(corpus: Corpus, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "train.txt", "w", encoding="utf-8") as fh:
        for d in corpus.train_docs:
            fh.write(joiner(d.lang).join(d.sentences) + "\n")
    with open(out / "heldout_facts.jsonl", "w", encoding="utf-8") as fh:
        for f in corpus.heldout_facts:
            fh.write(json.dumps(asdict(f), ensure_ascii=False) + "\n")
    with open(out / "heldout_stories.txt", "w", encoding="utf-8") as fh:
        for d in corpus.heldout_stories:
            fh.write(joiner(d.lang).join(d.sentences) + "\n")
    # The masked-LM lesson cuts Chinese text into these words (resources/corpus/zh_words.txt is this file).
    (out / "zh_words.txt").write_text("".join(w + "\n" for w in zh_lexicon()), encoding="utf-8")
    for name, pairs in (("numbers_train.tsv", corpus.train_numbers), ("numbers_heldout.tsv", corpus.heldout_numbers)):
        with open(out / name, "w", encoding="utf-8") as fh:
            for p in pairs:
                fh.write(f"{p.words}\t{p.digits}\n")


def summary(corpus: Corpus) -> str:
    kinds: dict[str, int] = {}
    for d in corpus.train_docs:
        kinds[f"{d.kind}/{d.lang}"] = kinds.get(f"{d.kind}/{d.lang}", 0) + 1
    held: dict[str, int] = {}
    for f in corpus.heldout_facts:
        held[f"{f.kind}/{f.lang}"] = held.get(f"{f.kind}/{f.lang}", 0) + 1
    return "\n".join(
        [
            "training documents: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())),
            "held-out sentences: " + ", ".join(f"{k} {v}" for k, v in sorted(held.items())),
            f"held-out stories: {len(corpus.heldout_stories)}",
            f"numbers: {len(corpus.train_numbers)} training pairs, {len(corpus.heldout_numbers)} held out",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("build/corpus"), help="folder for the text files")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    corpus = build_corpus(args.seed)
    write_corpus(corpus, args.out)
    print(summary(corpus))
    print(f"written to {args.out}/")


if __name__ == "__main__":
    main()
