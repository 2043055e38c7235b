"""Word lists the chrome classifier uses as features (data, not rules about any one site).

Stop words measure how much a paragraph reads like running prose (jusText's main feature);
the other lists name what page furniture is about in general: navigation, "read also"
blocks, photo credits, postal addresses. All words are lower case.
"""

from __future__ import annotations

STOPWORDS: dict[str, frozenset[str]] = {
    "ru": frozenset("""
        а без более бы был была были было быть в вам вас весь во вот все всего всех вы где
        да даже для до его ее её если есть еще ещё же за здесь и из или им их к как какой
        когда кото который которая которое которые которых кто ли либо лишь между меня мне
        много может можно мой мы на над надо наш не него нее неё нет ни них но ну о об
        однако он она они оно от очень по под после потом потому почему при про раз с сам
        свой свою себя себе со так также такой там те тем то того тоже той только том тот
        тут ты у уже хотя чем через что чтобы чье эта эти это этого этой этом этот я
        будет будут было был была были является являются между всё всей всем всеми свои
        своих своей своим своего ему ей нам нас ним ними них тех этих этим этими уж вы ваш
        ваше ваши наши нашей нашего нашим сейчас теперь всегда тогда здесь где куда также
    """.split()),
    "en": frozenset("""
        a about above after again against all also am an and any are as at be because been
        before being below between both but by can could did do does doing down during each
        few for from further had has have having he her here hers herself him himself his how
        i if in into is it its itself just me more most my myself no nor not now of off on
        once only or other our ours ourselves out over own same she should so some such than
        that the their theirs them themselves then there these they this those through to too
        under until up very was we were what when where which while who whom why will with
        would you your yours yourself yourselves said says according since among within
        without upon however also may might must shall us
    """.split()),
}

NAVIGATION_WORDS: frozenset[str] = frozenset("""
    новости новость главная главное читаемое популярное обсуждаемое мнение мнения блоги
    рубрики рубрика лента разделы раздел меню поиск войти вход регистрация подписаться
    подписывайтесь подпишитесь реклама теги тег метки архив видео фото фотогалерея
    комментарии комментарий поделиться поделитесь лучшее последние свежие другие еще ещё
    все материалы интервью аналитика спецпроекты опрос голосование погода курсы
    news home latest popular trending opinion opinions blogs sections section menu search
    login sign subscribe advertisement advertising tags tag archive video videos photos
    gallery comments comment share related more most read top stories recommended
    editor's picks poll vote weather
""".split())

RELATED_WORDS: frozenset[str] = frozenset("""
    читайте также теме тему похожие связанные смотрите см related also see similar more
    recommended read
""".split())

CREDIT_WORDS: frozenset[str] = frozenset("""
    фото фотография фотографии иллюстрация источник пресс-служба пресс-службы коллаж
    скриншот кадр автор видео photo photos image picture credit credits source courtesy
    getty reuters ap afp epa screenshot illustration press
""".split())

ADDRESS_WORDS: frozenset[str] = frozenset("""
    ул г мкр пр просп пер дом д корпус корп кв оф офис строение стр район р-н обл область
    улица проспект переулок микрорайон республика street st avenue ave road rd suite floor
    building blvd office
""".split())
