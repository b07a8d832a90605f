/* The tagger's first pass in C: cut a normalized text into tokens and look each one up.
 *
 * split_classify(text, table, default) -> (words, starts, ends, letters, unknown_numbers)
 *
 * It returns exactly what timeline.tagger._split_classify_py returns (the reference, in Python, used
 * when this module is not built): the tokens of tagger._SPLIT with their offsets, the concatenation of
 * table.get(word, default) over them, and the indexes of the tokens that start with a digit and are
 * not in the table. tests/test_scan.py checks the two agree, on news text and on arbitrary Unicode.
 *
 * Why C: this pass touches every word of every article, and in Python it was more than half of the
 * tagger's time (a regex split, offsets by itertools.accumulate, a dict lookup per word) however it
 * was arranged. No library does "tokenize and look up, with offsets" in one pass; the loop is short.
 *
 * Character classes are those of Python's re for str patterns, through the same C macros:
 *   letter  = [^\W\d_]  = Py_UNICODE_ISALNUM and not Py_UNICODE_ISDECIMAL (and not '_')
 *   digit   = \d        = Py_UNICODE_ISDECIMAL
 *   space   = \s        = Py_UNICODE_ISSPACE
 * A token is a run of letters; a digit, with what follows it of digits and the marks / . - : , up
 * to its last digit ("12/05/2023", "2015-2018", "3.5"); a newline; or one character that is none of
 * these, not a space and not '_' (punctuation). Everything else separates tokens.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static inline int
is_letter(Py_UCS4 c)
{
    if ((c >= 0x0621 && c <= 0x064A) || (c >= 'a' && c <= 'z'))
        return 1;                               /* Arabic letters and lower-case Latin: most text */
    if (c < 128)
        return c >= 'A' && c <= 'Z';
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

static inline int
is_digit(Py_UCS4 c)
{
    if (c < 128)
        return c >= '0' && c <= '9';
    return Py_UNICODE_ISDECIMAL(c);
}

static inline int
is_digit_mark(Py_UCS4 c)
{
    return c == '/' || c == '.' || c == '-' || c == ':' || c == ',';
}

static inline int
is_punctuation(Py_UCS4 c)
{
    /* [^\s\w]: not a space, not alphanumeric, not '_' (control characters are punctuation to re) */
    return !Py_UNICODE_ISSPACE(c) && !Py_UNICODE_ISALNUM(c) && c != '_';
}

typedef struct {
    Py_ssize_t *starts, *ends;
    PyObject **words;
    Py_UCS4 *letters;
    Py_ssize_t n, capacity, n_letters, letters_capacity;
    Py_ssize_t *unknown;
    Py_ssize_t n_unknown, unknown_capacity;
} Scan;

static void
scan_free(Scan *s, int drop_words)
{
    if (drop_words && s->words) {
        for (Py_ssize_t i = 0; i < s->n; i++)
            Py_DECREF(s->words[i]);
    }
    PyMem_Free(s->starts);
    PyMem_Free(s->ends);
    PyMem_Free(s->words);
    PyMem_Free(s->letters);
    PyMem_Free(s->unknown);
}

static int
grow(void **buffer, Py_ssize_t *capacity, Py_ssize_t needed, size_t item)
{
    if (needed <= *capacity)
        return 0;
    Py_ssize_t wanted = *capacity ? *capacity : 64;
    while (wanted < needed)
        wanted *= 2;
    void *bigger = PyMem_Realloc(*buffer, (size_t)wanted * item);
    if (bigger == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    *buffer = bigger;
    *capacity = wanted;
    return 0;
}

static int
add_token(Scan *s, PyObject *text, Py_ssize_t start, Py_ssize_t end, int digit_first,
          PyObject *table, PyObject *fallback)
{
    PyObject *word = PyUnicode_Substring(text, start, end);
    if (word == NULL)
        return -1;
    if (s->n == s->capacity) {
        Py_ssize_t capacity = s->capacity ? 2 * s->capacity : 256;
        Py_ssize_t *starts = PyMem_Realloc(s->starts, (size_t)capacity * sizeof(Py_ssize_t));
        if (starts == NULL)
            goto no_memory;
        s->starts = starts;
        Py_ssize_t *ends = PyMem_Realloc(s->ends, (size_t)capacity * sizeof(Py_ssize_t));
        if (ends == NULL)
            goto no_memory;
        s->ends = ends;
        PyObject **words = PyMem_Realloc(s->words, (size_t)capacity * sizeof(PyObject *));
        if (words == NULL)
            goto no_memory;
        s->words = words;
        s->capacity = capacity;
    }
    PyObject *value = PyDict_GetItemWithError(table, word);     /* borrowed */
    if (value == NULL) {
        if (PyErr_Occurred())
            goto error;
        value = fallback;
        if (digit_first) {
            if (grow((void **)&s->unknown, &s->unknown_capacity, s->n_unknown + 1, sizeof(Py_ssize_t)) < 0)
                goto error;
            s->unknown[s->n_unknown++] = s->n;
        }
    }
    if (!PyUnicode_Check(value)) {
        PyErr_SetString(PyExc_TypeError, "split_classify: table values must be str");
        goto error;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(value);
    if (grow((void **)&s->letters, &s->letters_capacity, s->n_letters + length, sizeof(Py_UCS4)) < 0)
        goto error;
    int kind = PyUnicode_KIND(value);
    const void *data = PyUnicode_DATA(value);
    for (Py_ssize_t k = 0; k < length; k++)
        s->letters[s->n_letters++] = PyUnicode_READ(kind, data, k);
    s->starts[s->n] = start;
    s->ends[s->n] = end;
    s->words[s->n] = word;                                  /* the reference moves to the array */
    s->n++;
    return 0;
no_memory:
    PyErr_NoMemory();
error:
    Py_DECREF(word);
    return -1;
}

static PyObject *
int_list(const Py_ssize_t *values, Py_ssize_t n)
{
    PyObject *list = PyList_New(n);
    if (list == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *number = PyLong_FromSsize_t(values[i]);
        if (number == NULL) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, i, number);
    }
    return list;
}

static PyObject *
split_classify(PyObject *module, PyObject *args)
{
    PyObject *text, *table, *fallback;
    if (!PyArg_ParseTuple(args, "UO!U:split_classify", &text, &PyDict_Type, &table, &fallback))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Scan s = {0};
    Py_ssize_t p = 0;
    while (p < n) {
        Py_UCS4 c = PyUnicode_READ(kind, data, p);
        Py_ssize_t end;
        int digit_first = 0;
        if (c == ' ') {
            p++;
            continue;
        }
        if (is_letter(c)) {
            end = p + 1;
            while (end < n && is_letter(PyUnicode_READ(kind, data, end)))
                end++;
        }
        else if (is_digit(c)) {
            /* \d[\d/.\-:,]*\d|\d: as far as digits and marks go, back to the last digit */
            Py_ssize_t q = p + 1;
            end = q;
            while (q < n) {
                Py_UCS4 d = PyUnicode_READ(kind, data, q);
                if (is_digit(d))
                    end = ++q;
                else if (is_digit_mark(d))
                    q++;
                else
                    break;
            }
            digit_first = 1;
        }
        else if (c == '\n' || is_punctuation(c)) {
            end = p + 1;
        }
        else {                                  /* other spaces, '_': between tokens */
            p++;
            continue;
        }
        if (add_token(&s, text, p, end, digit_first, table, fallback) < 0) {
            scan_free(&s, 1);
            return NULL;
        }
        p = end;
    }

    PyObject *words = NULL, *starts = NULL, *ends = NULL, *letters = NULL, *unknown = NULL;
    words = PyList_New(s.n);
    if (words == NULL) {
        scan_free(&s, 1);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < s.n; i++)
        PyList_SET_ITEM(words, i, s.words[i]);              /* the list takes the references */
    starts = int_list(s.starts, s.n);
    ends = int_list(s.ends, s.n);
    static const Py_UCS4 nothing[1] = {0};
    letters = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s.letters ? s.letters : nothing, s.n_letters);
    unknown = int_list(s.unknown, s.n_unknown);
    scan_free(&s, 0);
    if (starts == NULL || ends == NULL || letters == NULL || unknown == NULL) {
        Py_DECREF(words);
        Py_XDECREF(starts);
        Py_XDECREF(ends);
        Py_XDECREF(letters);
        Py_XDECREF(unknown);
        return NULL;
    }
    return Py_BuildValue("(NNNNN)", words, starts, ends, letters, unknown);
}

static PyMethodDef methods[] = {
    {"split_classify", split_classify, METH_VARARGS,
     "split_classify(text, table, default) -> (words, starts, ends, letters, unknown_numbers)"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "timeline._scan", "The tagger's tokenizer and word lookup in C.", -1, methods,
};

PyMODINIT_FUNC
PyInit__scan(void)
{
    return PyModule_Create(&module);
}
