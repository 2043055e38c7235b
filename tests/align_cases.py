"""A small Russian-English text pair for alignment tests (one omission, one 1-2 bead)."""

RU = [
    "Президент Казахстана принял министра обороны Китая.",
    "Встреча прошла в Акорде 25 апреля 2022 года.",
    "Стороны обсудили военное сотрудничество.",
    "Глава государства отметил 30-летие дипломатических отношений.",
    "Эта фраза не имеет перевода.",
    "Министр передал приветствие от председателя Си Цзиньпина, и президент поблагодарил его.",
    "В завершение стороны договорились продолжить диалог.",
]
EN = [
    "The President of Kazakhstan received China's defence minister.",
    "The meeting took place at Akorda on 25 April 2022.",
    "The sides discussed military cooperation.",
    "The head of state noted the 30th anniversary of diplomatic relations.",
    "The minister conveyed greetings from Chairman Xi Jinping.",
    "The President thanked him.",
    "In conclusion, the sides agreed to continue the dialogue.",
]
MT = [
    "The President of Kazakhstan received the Minister of Defence of China.",
    "The meeting took place in Akorda on April 25, 2022.",
    "The parties discussed military cooperation.",
    "The head of state noted the 30th anniversary of diplomatic relations.",
    "This phrase has no translation.",
    "The minister conveyed greetings from Chairman Xi Jinping, and the president thanked him.",
    "In conclusion, the parties agreed to continue the dialogue.",
]
GOLD = [((0,), (0,)), ((1,), (1,)), ((2,), (2,)), ((3,), (3,)), ((4,), ()), ((5,), (4, 5)),
        ((6,), (6,))]
